"""Announcing rows a service changed in bulk (``QuerySet.update``, ``bulk_update``,
``QuerySet.delete``), which model signals never see.

Unlike domain events this is sent at once, inside the writer's transaction, so whoever
records it (the audit trail) commits or rolls back together with the change itself; a
receiver's error propagates and fails the write rather than letting it go unrecorded.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.dispatch import Signal

# model (the model class), action ("update" or "delete"), rows (list[RowChange])
rows_changed = Signal()


@dataclass(frozen=True, slots=True)
class RowChange:
    object_id: int
    company_id: int | None
    # field name -> (old value, new value), plain values
    changes: Mapping[str, tuple[Any, Any]] = field(default_factory=dict)
    label: str = ""


def rows_changed_send(*, model: type[models.Model], action: str, rows: Iterable[RowChange]) -> None:
    """Tell the recorders about rows changed behind the model signals' back."""
    rows = list(rows)
    if rows:
        rows_changed.send(sender=model, model=model, action=action, rows=rows)


def _before(queryset: models.QuerySet, company_field: str, names: list[str]) -> list[dict]:
    columns = dict.fromkeys(["pk", company_field, *names])
    return list(queryset.select_for_update().values(*columns))


def queryset_update_recorded(
    queryset: models.QuerySet, *, company_field: str = "company_id", **values: Any
) -> int:
    """``queryset.update(**values)`` (inside the caller's transaction), announcing each
    row's old and new values. ``company_field`` names the column holding the row's company
    (``"pk"`` for the company itself)."""
    names = [name for name in values if name != "updated_at"]
    before = _before(queryset, company_field, names)
    if not before:
        return 0
    model = queryset.model
    count = model._base_manager.filter(pk__in=[row["pk"] for row in before]).update(**values)
    rows = [
        RowChange(
            object_id=row["pk"],
            company_id=row[company_field],
            changes={
                name: (row[name], values[name]) for name in names if row[name] != values[name]
            },
        )
        for row in before
    ]
    rows_changed_send(model=model, action="update", rows=[row for row in rows if row.changes])
    return count


def queryset_delete_recorded(
    queryset: models.QuerySet, *, company_field: str = "company_id"
) -> int:
    """``queryset.delete()`` (inside the caller's transaction), announcing each row."""
    before = _before(queryset, company_field, [])
    if not before:
        return 0
    model = queryset.model
    count, _ = model._base_manager.filter(pk__in=[row["pk"] for row in before]).delete()
    rows_changed_send(
        model=model,
        action="delete",
        rows=[RowChange(object_id=row["pk"], company_id=row[company_field]) for row in before],
    )
    return count
