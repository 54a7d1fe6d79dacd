"""Payments' background work: processing gateway events, and the nightly sync."""

import logging
from dataclasses import asdict
from typing import Any

from celery import shared_task

from apps.payments.sync import subscriptions_sync
from apps.payments.webhooks import stalled_event_ids, webhook_process

logger = logging.getLogger(__name__)


@shared_task(name="payments.process_gateway_event")
def process_gateway_event(*, event_pk: int) -> str:
    """Run a stored event's handler, exactly once; a failure is recorded on the event and
    retried with back-off (the task's default retries)."""
    return webhook_process(event_pk=event_pk)


@shared_task(name="payments.process_stalled_events")
def process_stalled_events() -> dict[str, int]:
    """Every 10 minutes: process the stored events whose task never ran (the broker was
    down when Stripe's delivery was stored and answered 200, so Stripe will not send it
    again). An event that fails stays failed for reprocess_stripe_events."""
    processed = failed = 0
    for event_pk in stalled_event_ids():
        try:
            webhook_process(event_pk=event_pk)
        except Exception:
            logger.exception("Stalled webhook event %s failed", event_pk)
            failed += 1
        else:
            processed += 1
    return {"processed": processed, "failed": failed}


@shared_task(name="payments.sync_stripe_subscriptions")
def sync_stripe_subscriptions() -> dict[str, Any]:
    """Nightly: bring every card payer in line with its subscription at Stripe."""
    summary = subscriptions_sync()
    return {
        "seen": summary.seen,
        "unknown": summary.unknown,
        "changes": [asdict(change) for change in summary.changes],
    }
