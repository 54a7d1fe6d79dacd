"""The trail as CSV, written row by row as it is read (no export is held in memory)."""

from collections.abc import Iterable, Iterator
from typing import Any

from apps.audit.models import AuditEntry
from apps.audit.serializers import model_label
from apps.core.csv_export import csv_lines

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
    return list(values)


def entry_lines(entries: Iterable[AuditEntry]) -> Iterator[str]:
    return csv_lines(COLUMNS, (_row(entry) for entry in entries))


def entries_csv(queryset: Any) -> Iterator[str]:
    return entry_lines(queryset.iterator(chunk_size=CHUNK))
