"""Filter building blocks shared by every app, described in the schema as they behave."""

from datetime import UTC
from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from django_filters.fields import IsoDateTimeField
from drf_spectacular.drainage import set_override

# The largest id a 64-bit primary key can hold; anything bigger cannot match a row.
MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """A filter on a row id: a whole number from 1 to MAX_ID, else a 400.

    Ids of other companies' rows simply match nothing (an empty page), so a filter never
    tells which ids exist elsewhere.
    """

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
        set_override(
            self,
            "field",
            {"type": "integer", "minimum": kwargs["min_value"], "maximum": kwargs["max_value"]},
        )


class DecimalFilter(django_filters.NumberFilter):
    """A decimal filter bounded like its column, so an absurd number is a 400, not a
    database error; the schema states the bounds."""

    def __init__(self, *args: Any, max_digits: int, decimal_places: int, **kwargs: Any) -> None:
        super().__init__(*args, max_digits=max_digits, decimal_places=decimal_places, **kwargs)
        largest = Decimal(10) ** (max_digits - decimal_places) - Decimal(1).scaleb(-decimal_places)
        set_override(
            self,
            "field",
            {
                "type": "number",
                "minimum": float(-largest),
                "maximum": float(largest),
                "description": f"At most {decimal_places} decimal places.",
            },
        )


class _AwareDateTimeField(IsoDateTimeField):
    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        if value is None:
            return None
        try:
            # UTC for the database too: PostgreSQL refuses offsets beyond 15:59, which
            # Python accepts up to a day (3258-08-11T12:43:20+20:55).
            return value.astimezone(UTC)
        except OverflowError as exc:  # e.g. 0001-01-01T00:00:00+14:00
            raise forms.ValidationError("The date/time is out of range.") from exc


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 date/time filter, compared in UTC; one that cannot be expressed in UTC
    (the first or the last day of the calendar with a far offset) is a 400, not a
    database error."""

    field_class = _AwareDateTimeField
