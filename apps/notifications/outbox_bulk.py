"""The outbox for many notifications at once: the scheduled alerts write one notification
per company for a batch of companies in a fixed number of queries (the keys already
notified, then bulk inserts), whatever the batch's size.

Each key is still notified once: keys already written are left out, and if another run
writes one of the same keys meanwhile, the batch is rolled back and written one
notification at a time through ``notification_send``, which skips the taken keys.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction

from apps.notifications.categories import Category, Channel
from apps.notifications.models import (
    Delivery,
    DeliveryStatus,
    Notification,
    NotificationDispatch,
    UserNotification,
)
from apps.notifications.outbox import (
    Outcome,
    Recipient,
    _channels_wanted,
    _unique,
    channels_for,
    delivery_values,
    enqueue_on_commit,
    insert_rows,
    notification_send,
)
from apps.notifications.rendering import render_in_app, render_title


@dataclass(frozen=True, slots=True)
class PendingNotice:
    """One notification of a bulk send: its key, company, recipients and context."""

    key: str
    company_id: int | None
    recipients: Sequence[Recipient]
    context: Mapping[str, Any] = field(default_factory=dict)
    link: str = ""


def keys_notified(keys: Sequence[str]) -> set[str]:
    """Which of ``keys`` were notified already (one query)."""
    return set(Notification.objects.filter(key__in=set(keys)).values_list("key", flat=True))


def notifications_send_many(
    *, category: Category, event: str, notices: Sequence[PendingNotice]
) -> dict[str, Outcome]:
    """``notification_send`` for many notices of one category, in one transaction and a
    fixed number of queries: each notice's notification, in-app rows and queued
    deliveries; sending starts on commit. Notices without recipients, or whose key was
    notified before, write nothing. Returns the outcome of each notice written, by key."""
    notices = [notice for notice in notices if notice.recipients]
    if not notices:
        return {}
    done = keys_notified([notice.key for notice in notices])
    notices = [notice for notice in notices if notice.key not in done]
    if not notices:
        return {}
    try:
        with transaction.atomic():
            return _write(category, event, notices)
    except IntegrityError:
        # A run beside this one wrote some of these keys since we looked.
        outcomes = {}
        for notice in notices:
            outcome = notification_send(
                category=category,
                key=notice.key,
                event=event,
                company_id=notice.company_id,
                recipients=notice.recipients,
                context=notice.context,
                link=notice.link,
            )
            if outcome.notification_id is not None:
                outcomes[notice.key] = outcome
        return outcomes


def _write(category: Category, event: str, notices: list[PendingNotice]) -> dict[str, Outcome]:
    notifications = Notification.objects.bulk_create(
        [
            Notification(
                company_id=notice.company_id,
                category=category,
                title=render_title(category, notice.context),
                body=render_in_app(category, notice.context),
                link=notice.link,
                event=event,
                key=notice.key,
                context=dict(notice.context),
            )
            for notice in notices
        ]
    )
    recipients = [_unique(notice.recipients) for notice in notices]
    wanted = _channels_wanted(
        category, {r.user_id for people in recipients for r in people if r.user_id}
    )
    dispatches, rows_of = [], []
    in_app: dict[str, list[int]] = {"notification_id": [], "user_id": []}
    for notification, people in zip(notifications, recipients, strict=True):
        rows = [
            delivery_values(notification, recipient, channel)
            for recipient in people
            for channel in channels_for(category, recipient, wanted)
        ]
        statuses = [row["status"] for row in rows]
        in_app_users = [row["user_id"] for row in rows if row["channel"] == Channel.IN_APP]
        in_app["notification_id"] += [notification.pk] * len(in_app_users)
        in_app["user_id"] += in_app_users
        dispatches.append(
            NotificationDispatch(
                notification=notification,
                recipients=len(people),
                sent=len(in_app_users),
                skipped=statuses.count(DeliveryStatus.SKIPPED),
                queued=statuses.count(DeliveryStatus.QUEUED),
            )
        )
        rows_of.append(rows)
    NotificationDispatch.objects.bulk_create(dispatches)
    columns: dict[str, list[Any]] = {name: [] for name in ("dispatch_id", "subject")}
    for dispatch, rows in zip(dispatches, rows_of, strict=True):
        columns["dispatch_id"] += [dispatch.pk] * len(rows)
        columns["subject"] += [dispatch.notification.title] * len(rows)
        for row in rows:
            for name, value in row.items():
                columns.setdefault(name, []).append(value)
    insert_rows(UserNotification, same={}, varying=in_app)
    ids = insert_rows(
        Delivery, same={"template": f"notifications/{category}"}, varying=columns, returning=True
    )
    enqueue_on_commit(
        [
            pk
            for pk, status in zip(ids, columns.get("status", []), strict=True)
            if status == DeliveryStatus.QUEUED
        ]
    )
    return {
        notification.key: Outcome(
            notification.pk,
            queued=dispatch.queued,
            in_app=dispatch.sent,
            skipped=dispatch.skipped,
        )
        for notification, dispatch in zip(notifications, dispatches, strict=True)
    }
