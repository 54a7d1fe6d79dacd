"""A person's notification preferences changed: per category, the channels they name.

Channels a change leaves out keep their setting, and so do categories it leaves out. A
category's channels are the ones it uses (categories.CATEGORIES); turning one of a
mandatory category's channels off (billing and security messages) is refused, and so is a
channel the category does not use. Everything is checked before anything is written: a
refused change changes nothing.
"""

from collections.abc import Mapping

from django.db import transaction

from apps.core.errors import ValidationFailed
from apps.notifications.categories import CATEGORIES, Category, Channel
from apps.notifications.models import NotificationPreference

Changes = Mapping[Category, Mapping[Channel, bool]]


def _refusals(changes: Changes) -> dict[str, dict[str, list[str]]]:
    refusals: dict[str, dict[str, list[str]]] = {}
    for category, channels in changes.items():
        info = CATEGORIES[category]
        for channel, on in channels.items():
            if channel not in info.channels:
                message = f"{info.label} messages are not sent by {channel.value}."
            elif info.mandatory and not on:
                message = f"{info.label} messages cannot be turned off."
            else:
                continue
            refusals.setdefault(category.value, {})[channel.value] = [message]
    return refusals


@transaction.atomic
def notification_preferences_update(*, user_id: int, changes: Changes) -> None:
    """Save the user's channels for each category named; ValidationFailed naming each
    category and channel refused (a mandatory one turned off, one the category does not
    use), before anything is written."""
    refusals = _refusals(changes)
    if refusals:
        raise ValidationFailed("Some of these preferences cannot be set.", details=refusals)
    # A mandatory category goes out on every channel whatever is stored: nothing to save.
    changes = {
        category: channels
        for category, channels in changes.items()
        if channels and not CATEGORIES[category].mandatory
    }
    if not changes:
        return
    current = {
        row.category: row
        for row in NotificationPreference.objects.select_for_update().filter(
            user_id=user_id, category__in=[category.value for category in changes]
        )
    }
    rows = []
    for category, channels in changes.items():
        existing = current.get(category.value)
        settings = {
            channel.value: channels[channel]
            if channel in channels
            else getattr(existing, channel.value, True)
            for channel in Channel
        }
        rows.append(NotificationPreference(user_id=user_id, category=category, **settings))
    # An upsert: a concurrent first change for the same category updates the row the other
    # inserted instead of failing on the unique constraint.
    NotificationPreference.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["user", "category"],
        update_fields=[channel.value for channel in Channel] + ["updated_at"],
    )
