"""The trail as CSV, written row by row as it is read (no export is held in memory)."""

import csv
import json
from collections.abc import Iterable, Iterator
from typing import Any

from apps.audit.models import AuditEntry
from apps.audit.serializers import model_label

COLUMNS = (
    "id",
    "timestamp",
    "action",
    "actor_kind",
    "actor_id",
    "actor_email",
    "model",
    "object_id",
    "object_repr",
    "changes",
    "data",
    "ip",
    "user_agent",
    "request_id",
    "seq",
    "hash",
)
CHUNK = 2000
# A cell starting with one of these is a formula to a spreadsheet: shown as text instead.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Line:
    """A file-like sink that hands back what csv.writer wrote."""

    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        value = json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def _row(entry: AuditEntry) -> list[Any]:
    values = (
        entry.pk,
        entry.timestamp.isoformat(),
        entry.get_action_display(),
        entry.actor_kind,
        entry.actor_id,
        entry.actor_email,
        model_label(entry),
        entry.object_pk,
        entry.object_repr,
        entry.changes,
        entry.additional_data,
        entry.remote_addr,
        entry.user_agent,
        entry.cid,
        entry.seq,
        entry.entry_hash,
    )
    return [_cell(value) for value in values]


def csv_lines(entries: Iterable[AuditEntry]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield writer.writerow(COLUMNS)
    for entry in entries:
        yield writer.writerow(_row(entry))


def entries_csv(queryset: Any) -> Iterator[str]:
    return csv_lines(queryset.iterator(chunk_size=CHUNK))
