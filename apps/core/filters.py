"""Filter building blocks shared by every app, described in the schema as they behave."""

from decimal import Decimal
from typing import Any

import django_filters
from django import forms
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
