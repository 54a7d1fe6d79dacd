"""A person's in-app notifications marked read: one, or all of them in the request's scope
(see selectors.in_app_scope). Marking is idempotent: a notice read before keeps the moment
it was first read."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.core.errors import NotFoundError
from apps.notifications.models import UserNotification
from apps.notifications.selectors import in_app_scope


@transaction.atomic
def user_notification_mark_read(
    *, user_id: int, company_id: int | None, user_notification_id: int
) -> UserNotification:
    """Mark one of the user's notifications read and return it; NotFoundError for an id
    that is not theirs or not in scope (another person's id is a 404, and nothing changes)."""
    mine = UserNotification.objects.filter(
        Q(user_id=user_id) & in_app_scope(company_id=company_id)
    ).select_related("notification")
    try:
        row = mine.select_for_update(of=("self",)).get(pk=user_notification_id)
    except UserNotification.DoesNotExist as exc:
        raise NotFoundError("No such notification.") from exc
    if row.read_at is None:
        row.read_at = timezone.now()
        row.save(update_fields=["read_at", "updated_at"])
    return row


def user_notifications_mark_all_read(*, user_id: int, company_id: int | None) -> int:
    """Mark every unread notification of the user in scope read; how many changed."""
    now = timezone.now()
    return UserNotification.objects.filter(
        Q(user_id=user_id, read_at__isnull=True) & in_app_scope(company_id=company_id)
    ).update(read_at=now, updated_at=now)
