"""The in-app list and the preferences, as the single-page app reads and writes them."""

from functools import cache
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.serializers import StrictSerializer
from apps.notifications.categories import CATEGORIES, Category, Channel
from apps.notifications.selectors import CHANNEL_ORDER


class UserNotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    category = serializers.ChoiceField(
        source="notification.category", choices=[c.value for c in Category], read_only=True
    )
    title = serializers.CharField(source="notification.title", read_only=True)
    body = serializers.CharField(source="notification.body", read_only=True)
    link = serializers.CharField(
        source="notification.link", read_only=True, help_text="Where to look; may be empty."
    )
    created_at = serializers.DateTimeField(read_only=True)
    read_at = serializers.DateTimeField(read_only=True, allow_null=True)
    read = serializers.SerializerMethodField()

    def get_read(self, row: Any) -> bool:
        return row.read_at is not None


class MarkedReadSerializer(serializers.Serializer):
    marked_read = serializers.IntegerField(
        min_value=0, help_text="How many notifications were unread and are now read."
    )


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField(min_value=0)


class ChannelSwitchesSerializer(serializers.Serializer):
    """On or off per channel; only the channels the category uses are present."""

    email = serializers.BooleanField(required=False)
    sms = serializers.BooleanField(required=False)
    in_app = serializers.BooleanField(required=False)


class NotificationPreferenceSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=[c.value for c in Category])
    label = serializers.CharField()
    mandatory = serializers.BooleanField(
        help_text="Billing and security messages: their channels cannot be turned off."
    )
    channels = ChannelSwitchesSerializer()


@extend_schema_field(
    {"type": "boolean", "description": "Mandatory: only true is accepted (false is a 400)."}
)
class AlwaysOnField(serializers.BooleanField):
    """A mandatory category's channel: only ``true`` is accepted (the service refuses
    ``false`` with a 400 naming it)."""


def _class_name(channels: list[Channel], mandatory: bool) -> str:
    words = "".join(channel.value.title().replace("_", "") for channel in channels)
    return f"{'Mandatory' if mandatory else ''}{words}ChannelsSerializer"


@cache
def _channels_input(channels: frozenset[Channel], mandatory: bool) -> type[StrictSerializer]:
    """A strict body for one category's channels: any other channel is refused. Categories
    with the same channels share it (one schema component each)."""
    ordered = [channel for channel in CHANNEL_ORDER if channel in channels]
    field = AlwaysOnField if mandatory else serializers.BooleanField
    fields = {channel.value: field(required=False) for channel in ordered}
    return type(_class_name(ordered, mandatory), (StrictSerializer,), fields)


def _preferences_update_fields() -> dict[str, serializers.Field]:
    return {
        category.value: _channels_input(info.channels, info.mandatory)(
            required=False,
            help_text=f"{info.label}: channels to turn on or off"
            + (" (mandatory: only on)." if info.mandatory else "."),
        )
        for category, info in CATEGORIES.items()
    }


NotificationPreferencesUpdateSerializer = type(
    "NotificationPreferencesUpdateSerializer",
    (StrictSerializer,),
    {
        "__doc__": "Per category, the channels to turn on or off; categories and channels "
        "left out keep their setting.",
        **_preferences_update_fields(),
    },
)


def preference_changes(
    validated: dict[str, dict[str, bool]],
) -> dict[Category, dict[Channel, bool]]:
    """The validated body as the service takes it."""
    return {
        Category(category): {Channel(channel): on for channel, on in channels.items()}
        for category, channels in validated.items()
    }
