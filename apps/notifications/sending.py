"""Sending one delivery, exactly once per idempotency key.

A worker first *claims* the delivery with one conditional UPDATE (queued and due, or
claimed so long ago that its worker must have died): of two workers racing, one gets
it and the other does nothing. Then it sends, outside any transaction, and records the
outcome. A failed send goes back to the queue with exponential back-off until
NOTIFICATION_MAX_ATTEMPTS, then stays failed (the admin can resend it).

Only a worker that dies between handing the message over and recording it leaves a
doubt; its claim lapses after CLAIM_LEASE and the message is sent again, with the same
Message-ID, so mail systems can tell the copy.
"""

import hashlib
import logging
import random
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F, Q
from django.utils import timezone

from apps.notifications.attachments import attachments_for
from apps.notifications.categories import Channel
from apps.notifications.models import Delivery, DeliveryStatus, NotificationDispatch
from apps.notifications.rendering import render_email, render_sms
from apps.notifications.sms import get_sms_backend
from apps.notifications.unsubscribe import unsubscribe_links

logger = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(minutes=10)


class SendOutcome:
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    NOT_CLAIMED = "not_claimed"


def due_filter(now: datetime) -> Q:
    """Deliveries a worker may take now."""
    return Q(status=DeliveryStatus.QUEUED) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    ) | Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - CLAIM_LEASE)


def _claim(delivery_id: int) -> bool:
    now = timezone.now()
    return bool(
        Delivery.objects.filter(due_filter(now), pk=delivery_id).update(
            status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    )


def retry_delay(attempt: int) -> timedelta:
    """Back-off after the ``attempt``-th failure: 1, 2, 4, 8 … minutes (at most an hour),
    with up to 20 % jitter so retries of one outage do not arrive together."""
    base = min(60 * 2 ** (attempt - 1), 3600)
    return timedelta(seconds=base * (1 + random.random() / 5))  # noqa: S311 (jitter, not security)


def delivery_send(*, delivery_id: int) -> tuple[str, timedelta | None]:
    """Send one delivery if it is due and nobody else has it; says what happened and, for
    a retry, in how long."""
    if not _claim(delivery_id):
        return SendOutcome.NOT_CLAIMED, None
    delivery = Delivery.objects.select_related("dispatch__notification").get(pk=delivery_id)
    try:
        provider_id = _send(delivery)
    except Exception as error:  # any failure of the channel: recorded, retried
        return _failed(delivery, error)
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.SENT,
        sent_at=timezone.now(),
        provider_message_id=provider_id[:200],
        last_error="",
        next_attempt_at=None,
    )
    _count(delivery, "sent")
    return SendOutcome.SENT, None


def _failed(delivery: Delivery, error: Exception) -> tuple[str, timedelta | None]:
    message = f"{type(error).__name__}: {error}"[:2000]
    if delivery.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
        logger.error("Delivery %s failed for good: %s", delivery.pk, message)
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED, last_error=message, next_attempt_at=None
        )
        _count(delivery, "failed")
        return SendOutcome.FAILED, None
    delay = retry_delay(delivery.attempts)
    logger.warning("Delivery %s failed (attempt %s): %s", delivery.pk, delivery.attempts, message)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.QUEUED, last_error=message, next_attempt_at=timezone.now() + delay
    )
    return SendOutcome.RETRY, delay


def _count(delivery: Delivery, field: str) -> None:
    NotificationDispatch.objects.filter(pk=delivery.dispatch_id).update(**{field: F(field) + 1})


def _send(delivery: Delivery) -> str:
    notification = delivery.dispatch.notification
    if delivery.channel == Channel.EMAIL:
        return _send_email(delivery, notification.category, notification.context)
    if delivery.channel == Channel.SMS:
        body = render_sms(notification.category, notification.context)
        return get_sms_backend().send(to=delivery.to, body=body)
    raise ValueError(f"Nothing sends {delivery.channel} deliveries.")


def _send_email(delivery: Delivery, category: str, context: dict[str, Any]) -> str:
    # The same for every attempt at one delivery, so a copy sent again is recognisable.
    digest = hashlib.sha256(delivery.idempotency_key.encode()).hexdigest()[:40]
    message_id = f"<{digest}@{settings.NOTIFICATION_MESSAGE_ID_DOMAIN}>"
    headers = {"Message-ID": message_id}
    # Someone with an account may unsubscribe from a category that allows it.
    links = None
    if delivery.user_id is not None:
        links = unsubscribe_links(user_id=delivery.user_id, category=category)
    if links is not None:
        context = {**context, **links.context}
        headers.update(links.headers)
    rendered = render_email(category, context)
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.to],
        headers=headers,
    )
    message.attach_alternative(rendered.html, "text/html")
    for attachment in attachments_for(category, context):
        message.attach(attachment.filename, attachment.content, attachment.mimetype)
    message.send()
    return message_id
