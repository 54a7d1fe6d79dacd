"""Small grouped counts shared by the apps' selectors."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, QuerySet


def counts_by(queryset: QuerySet, field: str, keys: Iterable[Any]) -> dict[Any, int]:
    """How many rows of ``queryset`` hold each value of ``field``, every one of ``keys``
    present (0 when none): one grouped query."""
    counts = dict.fromkeys(keys, 0)
    counts.update(
        queryset.order_by().values(field).annotate(count=Count("*")).values_list(field, "count")
    )
    return counts
