"""The outbox: a notification and every message it makes, written in one transaction;
the messages to send are handed to workers once it commits.

A fan-out to many people costs a fixed number of queries per batch of BATCH_SIZE
recipients (their preferences, then bulk inserts), whatever their number.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from apps.notifications.categories import CATEGORIES, Category, Channel
from apps.notifications.models import (
    Delivery,
    DeliveryStatus,
    Notification,
    NotificationDispatch,
    NotificationPreference,
    UserNotification,
)
from apps.notifications.rendering import render_in_app, render_title

BATCH_SIZE = 1000
# A send task takes this many deliveries: fewer tasks to enqueue, still spread over workers.
TASK_CHUNK = 100


@dataclass(frozen=True, slots=True)
class Recipient:
    """Someone to tell: an account (its preferences apply) or just an address (a
    company's billing email, which has no account)."""

    user_id: int | None
    email: str = ""
    phone: str = ""
    # Only these of the category's channels (our billing team: email), if given.
    channels: frozenset[Channel] | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    notification_id: int | None  # None: this key was notified before; nothing was written
    queued: int = 0
    in_app: int = 0
    skipped: int = 0


def _channels_wanted(category: Category, user_ids: Iterable[int]) -> dict[int, set[Channel]]:
    """Each user's channels for ``category`` (every channel the category uses when they
    said nothing, or when it is mandatory)."""
    info = CATEGORIES[category]
    user_ids = list(user_ids)
    wanted = {user_id: set(info.channels) for user_id in user_ids}
    if info.mandatory or not user_ids:
        return wanted
    rows = NotificationPreference.objects.filter(
        category=category, user_id__in=user_ids
    ).values_list("user_id", "email", "sms", "in_app")
    for user_id, email, sms, in_app in rows:
        chosen = {Channel.EMAIL: email, Channel.SMS: sms, Channel.IN_APP: in_app}
        wanted[user_id] = {channel for channel in info.channels if chosen[channel]}
    return wanted


def _address(recipient: Recipient, channel: Channel) -> str:
    return recipient.email if channel == Channel.EMAIL else recipient.phone


MISSING_ADDRESS = {Channel.EMAIL: "No email address.", Channel.SMS: "No phone number."}


def notification_send(
    *,
    category: Category,
    key: str,
    event: str,
    company_id: int | None,
    recipients: Sequence[Recipient],
    context: Mapping[str, Any],
    link: str = "",
) -> Outcome:
    """Tell ``recipients`` about something, once per ``key``: the notification, its
    in-app rows and its queued email and SMS deliveries, in one transaction; the sending
    starts when it commits. ``context`` holds plain JSON values for the templates."""
    context = dict(context)
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                company_id=company_id,
                category=category,
                title=render_title(category, context),
                body=render_in_app(category, context),
                link=link,
                event=event,
                key=key,
                context=context,
            )
            return _fan_out(notification, category, _unique(recipients))
    except IntegrityError:
        if Notification.objects.filter(key=key).exists():
            return Outcome(notification_id=None)
        raise


def _unique(recipients: Sequence[Recipient]) -> list[Recipient]:
    """One Recipient a person (or address): someone told twice over (an admin who is also
    on our billing team) gets the channels of both, each message once."""
    merged: dict[Any, Recipient] = {}
    for recipient in recipients:
        identity = recipient.user_id or recipient.email.lower()
        earlier = merged.get(identity)
        if earlier is not None:
            both = None
            if earlier.channels is not None and recipient.channels is not None:
                both = earlier.channels | recipient.channels
            recipient = Recipient(earlier.user_id, earlier.email, earlier.phone, both)
        merged[identity] = recipient
    return list(merged.values())


def _fan_out(
    notification: Notification, category: Category, recipients: list[Recipient]
) -> Outcome:
    dispatch = NotificationDispatch.objects.create(
        notification=notification, recipients=len(recipients)
    )
    queued: list[int] = []
    in_app = skipped = 0
    for start in range(0, len(recipients), BATCH_SIZE):
        batch = recipients[start : start + BATCH_SIZE]
        wanted = _channels_wanted(category, [r.user_id for r in batch if r.user_id])
        in_app_rows, deliveries = [], []
        for recipient in batch:
            channels = (
                wanted[recipient.user_id]
                if recipient.user_id
                else CATEGORIES[category].channels - {Channel.IN_APP}
            )
            if recipient.channels is not None:
                channels = channels & recipient.channels
            for channel in sorted(channels):
                delivery = _delivery(notification, dispatch, recipient, Channel(channel))
                deliveries.append(delivery)
                if channel == Channel.IN_APP:
                    in_app_rows.append(
                        UserNotification(notification=notification, user_id=recipient.user_id)
                    )
        UserNotification.objects.bulk_create(in_app_rows)
        Delivery.objects.bulk_create(deliveries)
        in_app += len(in_app_rows)
        skipped += sum(d.status == DeliveryStatus.SKIPPED for d in deliveries)
        queued += [d.pk for d in deliveries if d.status == DeliveryStatus.QUEUED]
    NotificationDispatch.objects.filter(pk=dispatch.pk).update(
        queued=len(queued), sent=in_app, skipped=skipped
    )
    if queued:
        from apps.notifications.tasks import send_deliveries

        for start in range(0, len(queued), TASK_CHUNK):
            chunk = queued[start : start + TASK_CHUNK]
            transaction.on_commit(lambda chunk=chunk: send_deliveries.delay(delivery_ids=chunk))
    return Outcome(notification.pk, queued=len(queued), in_app=in_app, skipped=skipped)


def _delivery(
    notification: Notification,
    dispatch: NotificationDispatch,
    recipient: Recipient,
    channel: Channel,
) -> Delivery:
    who = f"u{recipient.user_id}" if recipient.user_id else recipient.email.lower()
    delivery = Delivery(
        dispatch=dispatch,
        channel=channel,
        user_id=recipient.user_id,
        template=f"notifications/{notification.category}",
        subject=notification.title,
        idempotency_key=f"{notification.key}:{channel}:{who}"[:200],
    )
    if channel == Channel.IN_APP:
        delivery.status = DeliveryStatus.SENT
        delivery.sent_at = notification.created_at
        return delivery
    delivery.to = _address(recipient, channel)
    if not delivery.to:
        delivery.status = DeliveryStatus.SKIPPED
        delivery.last_error = MISSING_ADDRESS[channel]
    return delivery
