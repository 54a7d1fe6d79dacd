"""Processing a stored event: exactly once, never half-applied.

The event's row is locked while its handler runs in a savepoint: a second worker waits,
then finds it processed. A handler that fails rolls back whole; the event is marked
failed with the error (committed) and the exception re-raised, so Celery retries it with
back-off and ``reprocess_stripe_events`` can run it again.
"""

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
