"""Payments' background work: processing gateway events, and the nightly sync."""

from dataclasses import asdict
from typing import Any

from celery import shared_task

from apps.payments.sync import subscriptions_sync
from apps.payments.webhooks import webhook_process


@shared_task(name="payments.process_gateway_event")
def process_gateway_event(*, event_pk: int) -> str:
    """Run a stored event's handler, exactly once; a failure is recorded on the event and
    retried with back-off (the task's default retries)."""
    return webhook_process(event_pk=event_pk)


@shared_task(name="payments.sync_stripe_subscriptions")
def sync_stripe_subscriptions() -> dict[str, Any]:
    """Nightly: bring every card payer in line with its subscription at Stripe."""
    summary = subscriptions_sync()
    return {
        "seen": summary.seen,
        "unknown": summary.unknown,
        "changes": [asdict(change) for change in summary.changes],
    }
