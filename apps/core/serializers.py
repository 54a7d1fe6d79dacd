"""Serializer building blocks shared by every app."""

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from rest_framework import serializers
from rest_framework.settings import api_settings

# However many fields a body refuses, the error names this many: enough to fix a client,
# and an error that stays small whatever is sent.
MAX_REFUSED_FIELDS_NAMED = 20


# A decimal sent as a string, as the schema states it: ASCII digits and at most one point.
# Python's Decimal would also take "1e2", "1_000", " 100 " and other scripts' digits.
DECIMAL_STRING = re.compile(r"-?(?=\.?[0-9])[0-9]*(?:\.[0-9]*)?")
DECIMAL_STRING_ERROR = "A decimal number as digits with at most one point, e.g. 1500.50."


class StrictInputMixin:
    """Refuse fields the client may not set, instead of silently ignoring them.

    A client that sends ``subscription_tier`` or ``company`` learns at once that it cannot
    set them (400, naming the fields) rather than believing the change was made. Decimal
    strings are held to the schema's form too.
    """

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            refused = sorted(set(data) - writable)
            if refused:
                raise serializers.ValidationError(_refused_fields_error(refused))
            loose = _loose_decimals(self.fields, data)
            if loose:
                raise serializers.ValidationError(loose)
        return super().to_internal_value(data)  # type: ignore[misc]


def _loose_decimals(fields: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, list[str]]:
    return {
        name: [DECIMAL_STRING_ERROR]
        for name, field in fields.items()
        if isinstance(field, serializers.DecimalField)
        and not field.read_only
        and isinstance(data.get(name), str)
        and not DECIMAL_STRING.fullmatch(data[name])
    }


def _refused_fields_error(refused: list[str]) -> dict[str, list[str]]:
    named = refused[:MAX_REFUSED_FIELDS_NAMED]
    error = {name: ["This field cannot be set."] for name in named}
    unnamed = len(refused) - len(named)
    if unnamed:
        # Appended: a client may have sent a field called "non_field_errors" too.
        error.setdefault(api_settings.NON_FIELD_ERRORS_KEY, []).append(
            f"{unnamed} more field{'s' if unnamed != 1 else ''} cannot be set either."
        )
    return error


# The days a report or a range may name: far enough back for any company's history, and
# far enough from the calendar's ends that a default range worked out from one (30 days
# before, the month's first) stays inside it.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)
DAY_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class DayField(serializers.DateField):
    """A day as YYYY-MM-DD, in ASCII digits (not an ISO week, ``20261128`` or another
    script's digits, which Python's parser takes), from FIRST_DAY to LAST_DAY."""

    default_error_messages = {
        "invalid": "A day as YYYY-MM-DD.",
        "out_of_range": f"Must be between {FIRST_DAY} and {LAST_DAY}.",
    }

    def to_internal_value(self, value: Any) -> date:
        if not (isinstance(value, str) and DAY_PATTERN.fullmatch(value)):
            self.fail("invalid")
        day = super().to_internal_value(value)
        if not FIRST_DAY <= day <= LAST_DAY:
            self.fail("out_of_range")
        return day


class StrictSerializer(StrictInputMixin, serializers.Serializer):
    pass


class StrictModelSerializer(StrictInputMixin, serializers.ModelSerializer):
    pass


class EmptySerializer(StrictSerializer):
    """For actions that take no input: a body with any field, or malformed JSON, is a 400."""


class MessageSerializer(serializers.Serializer):
    """A short answer for a person to read, when the outcome must not be told apart."""

    detail = serializers.CharField()


class CrossAppDisplayListSerializer(serializers.ListSerializer):
    """Loads the rows' cross-app display data once, then serializes each row."""

    def to_representation(self, data: Any) -> list[Any]:
        rows = list(data.all() if hasattr(data, "all") else data)
        self.child.display = self.child.load_display(rows)
        return [self.child.to_representation(row) for row in rows]


class CrossAppDisplayMixin:
    """Display data owned by another app (an account's email, a company's name) read
    through that app's selectors, once for all the rows being serialized (Sentry's
    ``serialize_many``), never by a ``source=`` that joins into the other app's tables.

    Subclasses implement ``load_display(rows)``, whose result their fields read from
    ``self.display``, and set ``Meta.list_serializer_class`` to
    ``CrossAppDisplayListSerializer``.
    """

    display: Any = None

    def load_display(self, rows: Iterable[Any]) -> Any:
        raise NotImplementedError

    def to_representation(self, instance: Any) -> Any:
        if self.display is None:
            self.display = self.load_display([instance])
        return super().to_representation(instance)  # type: ignore[misc]


class WritableChoicesField(serializers.ChoiceField):
    """A choice field that answers with any of ``choices`` but accepts only ``writable``
    ones (a plot can be answered as sold, but only a sale makes it so)."""

    def __init__(self, choices: Any, *, writable: Iterable[str], **kwargs: Any) -> None:
        super().__init__(choices, **kwargs)
        self.writable_choices = list(writable)

    def to_internal_value(self, data: Any) -> Any:
        value = super().to_internal_value(data)
        if value not in self.writable_choices:
            self.fail("invalid_choice", input=data)
        return value
