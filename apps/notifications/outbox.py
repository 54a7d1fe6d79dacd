"""The outbox: a notification and every message it makes, written in one transaction;
the messages to send are handed to workers once it commits.

A fan-out to many people costs a fixed number of queries per batch of BATCH_SIZE
recipients (their preferences, then bulk inserts), whatever their number.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Model

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
    template = f"notifications/{notification.category}"
    queued: list[int] = []
    in_app = skipped = 0
    for start in range(0, len(recipients), BATCH_SIZE):
        batch = recipients[start : start + BATCH_SIZE]
        wanted = _channels_wanted(category, [r.user_id for r in batch if r.user_id])
        in_app_users: list[int] = []
        rows = _DeliveryRows()
        for recipient in batch:
            for channel in channels_for(category, recipient, wanted):
                rows.add(notification, recipient, channel)
                if channel == Channel.IN_APP:
                    in_app_users.append(recipient.user_id)
        insert_rows(
            UserNotification,
            same={"notification_id": notification.pk},
            varying={"user_id": in_app_users},
        )
        ids = insert_rows(
            Delivery,
            same={"dispatch_id": dispatch.pk, "template": template, "subject": notification.title},
            varying=rows.columns,
            returning=True,
        )
        in_app += len(in_app_users)
        statuses = rows.columns["status"]
        skipped += statuses.count(DeliveryStatus.SKIPPED)
        queued += [
            pk for pk, status in zip(ids, statuses, strict=True) if status == DeliveryStatus.QUEUED
        ]
    NotificationDispatch.objects.filter(pk=dispatch.pk).update(
        queued=len(queued), sent=in_app, skipped=skipped
    )
    enqueue_on_commit(queued)
    return Outcome(notification.pk, queued=len(queued), in_app=in_app, skipped=skipped)


def channels_for(
    category: Category, recipient: Recipient, wanted: Mapping[int, set[Channel]]
) -> list[Channel]:
    """The channels one recipient gets: their choice (``wanted``, from
    ``_channels_wanted``) for an account, email and SMS for a bare address, and never
    more than the recipient's own ``channels``."""
    if recipient.user_id:
        channels = set(wanted[recipient.user_id])
    else:
        channels = set(CATEGORIES[category].channels - {Channel.IN_APP})
    if recipient.channels is not None:
        channels &= recipient.channels
    return sorted(channels)


def enqueue_on_commit(delivery_ids: list[int]) -> None:
    """Hand the queued deliveries to workers, TASK_CHUNK a task, once the outbox commits."""
    from apps.notifications.tasks import send_deliveries

    for start in range(0, len(delivery_ids), TASK_CHUNK):
        chunk = delivery_ids[start : start + TASK_CHUNK]
        transaction.on_commit(lambda chunk=chunk: send_deliveries.delay(delivery_ids=chunk))


def delivery_values(
    notification: Notification, recipient: Recipient, channel: Channel
) -> dict[str, Any]:
    """What differs between a notification's deliveries: an in-app one is sent as it is
    written; an email or SMS without an address is skipped with the reason."""
    who = f"u{recipient.user_id}" if recipient.user_id else recipient.email.lower()
    values: dict[str, Any] = {
        "channel": channel.value,
        "user_id": recipient.user_id,
        "to": "",
        "status": DeliveryStatus.QUEUED.value,
        "last_error": "",
        "sent_at": None,
        "idempotency_key": f"{notification.key}:{channel}:{who}"[:200],
    }
    if channel == Channel.IN_APP:
        values.update(status=DeliveryStatus.SENT.value, sent_at=notification.created_at)
    else:
        values["to"] = _address(recipient, channel)
        if not values["to"]:
            values.update(status=DeliveryStatus.SKIPPED.value, last_error=MISSING_ADDRESS[channel])
    return values


class _DeliveryRows:
    """A batch's deliveries as columns (field name: one value a row), for ``insert_rows``; what
    every delivery of the notification shares is given to ``insert_rows`` once instead."""

    NAMES = ("channel", "user_id", "to", "status", "last_error", "sent_at", "idempotency_key")

    def __init__(self) -> None:
        self.columns: dict[str, list[Any]] = {name: [] for name in self.NAMES}

    def add(self, notification: Notification, recipient: Recipient, channel: Channel) -> None:
        values = delivery_values(notification, recipient, channel)
        for name, column in self.columns.items():
            column.append(values[name])


def insert_rows(
    model: type[Model],
    *,
    same: Mapping[str, Any],
    varying: Mapping[str, list[Any]],
    returning: bool = False,
) -> list[int]:
    """Insert one row per position of ``varying``'s lists (plain database values: str,
    int, datetime, None), every other field taking the value a ``model(**same)`` would
    save; the new rows' ids, in order, if ``returning``.

    On PostgreSQL one ``INSERT ... SELECT FROM unnest(...)``: an array for each varying
    column, each shared value sent once. Django's bulk_create makes a model instance a
    row and prepares every field of every row (17 a delivery): for a fan-out to 10,000
    people (about 28,000 rows) that was 3 to 4 s of Python, a fifth of it left this way
    (bench/notification_fanout.py). Elsewhere (SQLite), bulk_create."""
    if not next(iter(varying.values())):
        return []
    if connection.vendor != "postgresql":
        rows = [
            model(**same, **dict(zip(varying, values, strict=True)))
            for values in zip(*varying.values(), strict=True)
        ]
        model.objects.bulk_create(rows)
        return [row.pk for row in rows] if returning else []
    prototype = model(**same)
    quote = connection.ops.quote_name
    columns, selected, params, arrays, array_params, names = [], [], [], [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        db_type = field.db_type(connection).split("(")[0]
        columns.append(quote(field.column))
        if field.attname in varying:
            arrays.append(f"%s::{db_type}[]")
            array_params.append(varying[field.attname])
            names.append(quote(field.column))
            selected.append(f"v.{quote(field.column)}")
        else:
            value = field.pre_save(prototype, add=True)
            selected.append(f"%s::{db_type}")
            params.append(field.get_db_prep_save(value, connection))
    # Names from the model, quoted; every value a parameter.
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(columns)})"  # noqa: S608
        f" SELECT {', '.join(selected)} FROM unnest({', '.join(arrays)}) AS v({', '.join(names)})"
    )
    if returning:
        sql += f" RETURNING {quote(model._meta.pk.column)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *array_params])
        return [row[0] for row in cursor.fetchall()] if returning else []
