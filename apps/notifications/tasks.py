"""Notifications' background work: sending deliveries (each claimed, so never twice),
the sweep that sends whatever is due or stuck, and the scheduled notices (scheduled.py:
each written once per company and date, so these tasks may run, retry and catch up
freely)."""

import logging

from celery import shared_task

from apps.notifications import scheduled
from apps.notifications.sending import SendOutcome
from apps.notifications.services import deliveries_send_due, delivery_send

logger = logging.getLogger(__name__)


@shared_task(name="notifications.tell_invoices_issued")
def tell_invoices_issued(*, invoice_ids: list[int]) -> None:
    """A batch of issued invoices' notices (retried with back-off; each notice is keyed,
    so a retry writes only what is missing)."""
    from apps.notifications.receivers import invoices_issued_tell

    invoices_issued_tell(invoice_ids=invoice_ids)


@shared_task(name="notifications.tell_saved_search_matches")
def tell_saved_search_matches(*, company_id: int, plot_id: int) -> None:
    """A new plot's notices to the owners of the saved searches it matches (each keyed
    by plot and search, so a retry writes only what is missing)."""
    from apps.notifications.receivers import saved_search_matches_tell

    saved_search_matches_tell(company_id=company_id, plot_id=plot_id)


@shared_task(name="notifications.send_deliveries", max_retries=0)
def send_deliveries(*, delivery_ids: list[int]) -> dict[str, int]:
    """Send these deliveries; a failed one is queued again and comes back here after its
    back-off. (Retries are per delivery, so the task itself never retries.)"""
    counts: dict[str, int] = {}
    for delivery_id in delivery_ids:
        outcome, delay = delivery_send(delivery_id=delivery_id)
        counts[outcome] = counts.get(outcome, 0) + 1
        if outcome == SendOutcome.RETRY and delay is not None:
            send_deliveries.apply_async(
                kwargs={"delivery_ids": [delivery_id]}, countdown=delay.total_seconds()
            )
    return counts


@shared_task(name="notifications.send_pending")
def send_pending() -> dict[str, int]:
    """Every 5 minutes: send what is due and was never sent (a lost task, a retry whose
    task was lost, a worker that died mid-send)."""
    return deliveries_send_due()


@shared_task(name="notifications.send_trial_and_subscription_alerts")
def send_trial_and_subscription_alerts() -> dict[str, int]:
    """Daily (09:00 Lagos): trials ending in 3 days and in 1 day, paid access ending in 7."""
    trials = scheduled.trial_ending_alerts_send()
    subscriptions = scheduled.subscription_ending_alerts_send()
    return {"trial_ending": trials.notified, "subscription_ending": subscriptions.notified}


@shared_task(name="notifications.send_weekly_summaries")
def send_weekly_summaries() -> dict[str, int]:
    """Mondays (08:00 Lagos): each company's previous week in numbers, to its admins."""
    run = scheduled.weekly_summaries_send()
    return {"companies": run.companies, "notified": run.notified}
