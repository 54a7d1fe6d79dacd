"""Ordering that never ties: every ordering ends with the primary key.

Without a unique last key, rows equal on the ordered fields (plots of one price) come
back in whatever order the plan yields, so pages repeat or skip them, and no keyset
cursor can say where a page ended.
"""

from typing import Any

from django.db.models import QuerySet
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request

UNIQUE_KEYS = ("id", "-id", "pk", "-pk")


def with_tie_breaker(ordering: list[str] | tuple[str, ...]) -> list[str]:
    """``ordering`` ending with the id, in the direction of its last field."""
    fields = list(ordering)
    if any(field in UNIQUE_KEYS for field in fields):
        return fields
    descending = bool(fields) and fields[-1].startswith("-")
    return [*fields, "-id" if descending else "id"]


class StableOrderingFilter(OrderingFilter):
    """DRF's OrderingFilter with the id appended as the last key."""

    def get_ordering(self, request: Request, queryset: QuerySet, view: Any) -> list[str] | None:
        ordering = super().get_ordering(request, queryset, view)
        return with_tie_breaker(ordering) if ordering else ordering
