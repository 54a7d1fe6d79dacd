"""Serializer building blocks shared by every app."""

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers


class StrictInputMixin:
    """Refuse fields the client may not set, instead of silently ignoring them.

    A client that sends ``subscription_tier`` or ``company`` learns at once that it cannot
    set them (400, naming the fields) rather than believing the change was made.
    """

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            refused = sorted(set(data) - writable)
            if refused:
                raise serializers.ValidationError(
                    {name: ["This field cannot be set."] for name in refused}
                )
        return super().to_internal_value(data)  # type: ignore[misc]


class StrictSerializer(StrictInputMixin, serializers.Serializer):
    pass


class StrictModelSerializer(StrictInputMixin, serializers.ModelSerializer):
    pass


class EmptySerializer(StrictSerializer):
    """For actions that take no input: a body with any field, or malformed JSON, is a 400."""


class MessageSerializer(serializers.Serializer):
    """A short answer for a person to read, when the outcome must not be told apart."""

    detail = serializers.CharField()
