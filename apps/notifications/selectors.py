"""Read-side of notifications (for its own views): a user's notifications and preferences.

Which notices a request sees (``in_app_scope``): a person's in-app list is their own
rows, and of those only what concerns the company the request acts for (the
``X-Company-ID`` membership, else the oldest active one), plus notices that concern no
company. Someone who belongs to several companies sees one company's notices at a time,
so one company's screen never shows another's invoices or payment failures. A person
acting for no company (a marketer whose applications are pending or were turned down)
sees the decisions on their own applications, from whichever company, and notices that
concern no company: never a company's own business, so an admin removed from a company
does not keep reading its notices. Preferences are the person's, the same for every
company.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from apps.notifications.categories import CATEGORIES, Category, Channel
from apps.notifications.models import NotificationPreference, UserNotification

# About the person's own application to a company, not about the company's business: the
# answer is theirs to read even when they act for no company (a rejected applicant is
# not a member).
OWN_APPLICATION_CATEGORIES = (Category.AFFILIATION_APPROVED, Category.AFFILIATION_REJECTED)

# The order channels are listed in.
CHANNEL_ORDER = (Channel.EMAIL, Channel.SMS, Channel.IN_APP)


def in_app_scope(*, company_id: int | None) -> Q:
    """The notices a request acting for ``company_id`` (None: no company) may see, as a
    filter on UserNotification (see the module's docstring)."""
    concerns_no_company = Q(notification__company_id__isnull=True)
    if company_id is not None:
        return Q(notification__company_id=company_id) | concerns_no_company
    return Q(notification__category__in=OWN_APPLICATION_CATEGORIES) | concerns_no_company


def user_notifications_visible(*, user_id: int, company_id: int | None) -> QuerySet:
    """The user's own in-app notifications within the request's scope, newest first."""
    return (
        UserNotification.objects.filter(Q(user_id=user_id) & in_app_scope(company_id=company_id))
        .select_related("notification")
        .order_by("-created_at", "-id")
    )


def user_notifications_unread_count(*, user_id: int, company_id: int | None) -> int:
    """How many of them are unread: one COUNT, found through the partial index
    ``user_notification_unread`` (the user's unread rows) and the notifications' keys."""
    return UserNotification.objects.filter(
        Q(user_id=user_id, read_at__isnull=True) & in_app_scope(company_id=company_id)
    ).count()


@dataclass(frozen=True, slots=True)
class CategoryPreference:
    """One category as a person sees it in their settings."""

    category: Category
    label: str
    mandatory: bool
    # Only the channels the category uses, each on or off, in CHANNEL_ORDER.
    channels: dict[Channel, bool]


def notification_preferences_for(*, user_id: int) -> list[CategoryPreference]:
    """Every category with the user's choice per channel: on unless they turned it off;
    a mandatory category's channels are always on."""
    rows = {row.category: row for row in NotificationPreference.objects.filter(user_id=user_id)}
    preferences = []
    for category, info in CATEGORIES.items():
        row = None if info.mandatory else rows.get(category.value)
        channels = {
            channel: True if row is None else bool(getattr(row, channel.value))
            for channel in CHANNEL_ORDER
            if channel in info.channels
        }
        preferences.append(
            CategoryPreference(
                category=category, label=info.label, mandatory=info.mandatory, channels=channels
            )
        )
    return preferences
