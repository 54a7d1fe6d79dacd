"""Receiving a webhook: verify the signature, store the event once by its id, answer.

Nothing is stored for a delivery whose signature fails. A repeated delivery finds the
stored event and is not processed again; only the delivery that stored it enqueues its
processing, on commit.
"""

import logging

from django.db import IntegrityError, transaction

from apps.payments.gateway import get_gateway
from apps.payments.models import WebhookEvent

logger = logging.getLogger(__name__)


def _enqueue(event_pk: int) -> None:
    from apps.payments.tasks import process_gateway_event

    try:
        process_gateway_event.delay(event_pk=event_pk)
    except Exception:
        # In the embedded mode the task runs here and its failure would reach Stripe as
        # a 500 (and a redelivery); the event is stored as failed and is re-run later.
        logger.exception("Processing webhook event %s failed; it stays re-runnable", event_pk)


def webhook_receive(*, payload: bytes, signature: str | None) -> tuple[int, bool]:
    """Verify and store the event; returns its row id and whether this delivery stored it
    (False: a duplicate, already stored)."""
    event = get_gateway().verify_event(payload, signature)
    try:
        with transaction.atomic():
            stored = WebhookEvent.objects.create(
                event_id=event.id,
                type=event.type,
                api_version=event.api_version,
                livemode=event.livemode,
                created=event.created,
                payload=event.payload,
            )
            event_pk = stored.pk
            transaction.on_commit(lambda: _enqueue(event_pk))
    except IntegrityError:
        existing = WebhookEvent.objects.values_list("pk", flat=True).get(event_id=event.id)
        return existing, False
    return event_pk, True
