"""Processing a stored event: exactly once, never half-applied.

The event's row is locked while its handler runs in a savepoint: a second worker waits,
then finds it processed. A handler that fails rolls back whole; the event is marked
failed with the error (committed) and the exception re-raised, so Celery retries it with
back-off and ``reprocess_stripe_events`` can run it again.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from apps.payments.gateway import GatewayEvent
from apps.payments.models import WebhookEvent, WebhookStatus
from apps.payments.webhooks.handlers import HANDLERS

ProcessOutcome = str  # the event's status after this attempt


def _gateway_event(event: WebhookEvent) -> GatewayEvent:
    return GatewayEvent(
        id=event.event_id,
        type=event.type,
        created=event.created,
        api_version=event.api_version,
        livemode=event.livemode,
        object=event.payload["data"]["object"],
        payload=event.payload,
    )


def webhook_process(*, event_pk: int) -> ProcessOutcome:
    failure: Exception | None = None
    with transaction.atomic():
        event = WebhookEvent.objects.select_for_update().get(pk=event_pk)
        if event.status in (WebhookStatus.PROCESSED, WebhookStatus.IGNORED):
            return event.status
        event.attempts += 1
        handler = HANDLERS.get(event.type)
        if handler is None:
            event.status = WebhookStatus.IGNORED
        else:
            try:
                with transaction.atomic():
                    handler(_gateway_event(event))
            except Exception as exc:
                failure = exc
                event.status = WebhookStatus.FAILED
                event.last_error = f"{type(exc).__name__}: {exc}"[:5000]
            else:
                event.status = WebhookStatus.PROCESSED
                event.last_error = ""
        event.processed_at = timezone.now() if failure is None else None
        event.save(update_fields=["status", "attempts", "last_error", "processed_at"])
    if failure is not None:
        raise failure
    return event.status


# How long a stored event may wait for its task before the sweep runs it: longer than a
# busy queue takes, so the sweep meets only events whose task was never enqueued (the
# broker was down when the delivery was stored) or was lost.
STALLED_AFTER = timedelta(minutes=10)


def stalled_event_ids(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Events still waiting for their first processing STALLED_AFTER after they arrived,
    oldest first."""
    cutoff = (now or timezone.now()) - STALLED_AFTER
    return list(
        WebhookEvent.objects.filter(status=WebhookStatus.RECEIVED, received_at__lt=cutoff)
        .order_by("received_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
