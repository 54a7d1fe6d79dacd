"""Notifications' background work: sending deliveries (each claimed, so never twice),
and the sweep that sends whatever is due or stuck."""

import logging

from celery import shared_task

from apps.notifications.sending import SendOutcome
from apps.notifications.services import deliveries_due, delivery_send

logger = logging.getLogger(__name__)


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
    counts: dict[str, int] = {}
    for delivery_id in deliveries_due():
        outcome, _ = delivery_send(delivery_id=delivery_id)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
