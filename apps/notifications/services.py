"""Notifications' services: telling people (the outbox), sending, resending.

- ``notification_send``: a notification and its messages, once per key (outbox.py);
- ``delivery_send``: one message sent, exactly once per idempotency key (sending.py);
- ``deliveries_due``, ``deliveries_send_due`` and ``delivery_resend``: for the sweep, the
  command and the admin;
- ``user_notification_mark_read``, ``user_notifications_mark_all_read``: the in-app list
  (inbox.py); ``notification_preferences_update``: a person's channels per category
  (preference_changes.py).
"""

from django.db.models import F
from django.utils import timezone

from apps.notifications.inbox import user_notification_mark_read, user_notifications_mark_all_read
from apps.notifications.models import Delivery, DeliveryStatus, NotificationDispatch
from apps.notifications.outbox import Outcome, Recipient, notification_send
from apps.notifications.preference_changes import notification_preferences_update
from apps.notifications.sending import SendOutcome, delivery_send, due_filter

__all__ = [
    "Outcome",
    "Recipient",
    "SendOutcome",
    "deliveries_due",
    "deliveries_send_due",
    "delivery_resend",
    "delivery_send",
    "notification_preferences_update",
    "notification_send",
    "user_notification_mark_read",
    "user_notifications_mark_all_read",
]


def deliveries_due(*, limit: int = 5000) -> list[int]:
    """Deliveries a worker may take now (queued and due, or stuck with a lapsed claim),
    oldest first."""
    return list(
        Delivery.objects.filter(due_filter(timezone.now()))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def deliveries_send_due() -> dict[str, int]:
    """Send every delivery that is due (``deliveries_due``); how many ended each way."""
    counts: dict[str, int] = {}
    for delivery_id in deliveries_due():
        outcome, _ = delivery_send(delivery_id=delivery_id)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def delivery_resend(*, delivery_id: int) -> bool:
    """Queue a failed delivery again with a fresh set of attempts (billing staff, from the
    admin); False when it is not failed. The sweep or a task sends it."""
    updated = Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.QUEUED, attempts=0, next_attempt_at=None
    )
    if updated:
        dispatch_id = Delivery.objects.values_list("dispatch_id", flat=True).get(pk=delivery_id)
        NotificationDispatch.objects.filter(pk=dispatch_id).update(failed=F("failed") - 1)
    return bool(updated)
