"""Filter building blocks shared by every app."""

import django_filters
from django import forms

# The largest id a 64-bit primary key can hold; anything bigger cannot match a row.
MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    """A filter on a row id: a whole number from 1 to MAX_ID, else a 400.

    Ids of other companies' rows simply match nothing (an empty page), so a filter never
    tells which ids exist elsewhere.
    """

    field_class = forms.IntegerField

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
