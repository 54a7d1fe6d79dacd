"""The hash chain: each entry's hash covers its content and the previous entry's hash, per
company (chain = company id; the platform's own entries are chain 0).

Appending locks the chain's head row for the rest of the writer's transaction, so entries
written at the same moment get consecutive numbers and link to each other, never forking.
Several chains are always locked in ascending order, so two writers cannot deadlock on them.
"""

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from apps.audit.models import AuditChainHead, AuditEntry

PLATFORM_CHAIN = 0
# An entry's content as hashed, in this order (its seq and prev_hash are bound in by
# link_digest).
CONTENT_FIELDS = (
    "chain",
    "timestamp",
    "action",
    "content_type_id",
    "object_pk",
    "object_repr",
    "changes",
    "actor_id",
    "actor_kind",
    "actor_email",
    "remote_addr",
    "user_agent",
    "cid",
    "additional_data",
)


def chain_of(company_id: int | None) -> int:
    return company_id or PLATFORM_CHAIN


def plain_json(value: Any) -> Any:
    """``value`` as it reads back from a JSON column (tuples as lists, Decimals as text), so
    the hash of an entry in memory equals the hash of the same entry read back."""
    if value is None:
        return None
    return json.loads(json.dumps(value, default=str))


def content_digest(entry: AuditEntry) -> str:
    """The hash of what the entry says (everything but its place in the chain)."""
    values = []
    for name in CONTENT_FIELDS:
        value = getattr(entry, name)
        if name == "timestamp":
            value = value.astimezone(UTC).isoformat()
        values.append(value)
    canonical = json.dumps(values, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def link_digest(prev_hash: str, seq: int, content: str) -> str:
    """An entry's hash: its content's, bound to its number and the previous entry's hash.
    PostgreSQL computes the same in ``_append_postgresql`` (keep the two alike)."""
    return hashlib.sha256(f"{prev_hash}:{seq}:{content}".encode()).hexdigest()


def entry_digest(entry: AuditEntry) -> str:
    return link_digest(entry.prev_hash, entry.seq, content_digest(entry))


def _prepare(entry: AuditEntry) -> None:
    from apps.audit.recording import fill_from_context

    fill_from_context(entry)
    # Every hashed value as it will read back from the database (an auditlog pk given as
    # an int is stored as text, a choice member as its plain value).
    for name in ("object_pk", "object_repr", "actor_email", "actor_kind", "user_agent", "cid"):
        value = getattr(entry, name)
        setattr(entry, name, None if value is None else str(value))
    entry.action = int(entry.action)
    entry.changes = plain_json(entry.changes)
    entry.additional_data = plain_json(entry.additional_data)
    if entry.remote_addr:
        entry.remote_addr = AuditEntry._meta.get_field("remote_addr").get_prep_value(
            entry.remote_addr
        )
    entry.chain = chain_of(entry.company_id)


def _locked_heads(chains: Iterable[int]) -> dict[int, AuditChainHead]:
    """The chains' heads, made if missing and locked in ascending order: two queries,
    however many chains and whether or not they existed."""
    wanted = sorted(set(chains))
    AuditChainHead.objects.bulk_create(
        [AuditChainHead(chain=chain) for chain in wanted], ignore_conflicts=True
    )
    return {
        head.chain: head
        for head in AuditChainHead.objects.select_for_update()
        .filter(chain__in=wanted)
        .order_by("chain")
    }


def _link(entry: AuditEntry, head: AuditChainHead) -> None:
    entry.seq = head.seq + 1
    entry.prev_hash = head.last_hash
    entry.entry_hash = entry_digest(entry)
    head.prev_hash, head.last_hash, head.seq = head.last_hash, entry.entry_hash, entry.seq


def append(entry: AuditEntry, write: Callable[[], None]) -> None:
    """Link ``entry`` to the end of its chain and write it (``write`` inserts the row)."""
    _prepare(entry)
    entry.timestamp = timezone.now()
    if connection.vendor == "postgresql":
        _append_postgresql(entry)
        return
    # No savepoint: an entry that cannot be written fails the change it records.
    with transaction.atomic(savepoint=False):
        head = AuditChainHead.objects.select_for_update().filter(chain=entry.chain).first()
        if head is None:  # the chain's first entry
            head = _locked_heads([entry.chain])[entry.chain]
        _link(entry, head)
        write()
        AuditChainHead.objects.filter(pk=head.pk).update(
            seq=head.seq, prev_hash=head.prev_hash, last_hash=head.last_hash
        )


def _append_postgresql(entry: AuditEntry) -> None:
    """One statement: move the chain's head on (which locks it until the transaction
    ends), hash the link as link_digest does, and insert the entry."""
    fields = [
        field
        for field in AuditEntry._meta.concrete_fields
        if field.name not in ("id", "seq", "prev_hash", "entry_hash")
    ]
    quote = connection.ops.quote_name
    sql = f"""
        WITH head AS (
            UPDATE {quote(AuditChainHead._meta.db_table)}
            SET seq = seq + 1,
                prev_hash = last_hash,
                last_hash = encode(
                    sha256(convert_to(last_hash || ':' || (seq + 1)::text || ':' || %s, 'UTF8')),
                    'hex'
                )
            WHERE chain = %s
            RETURNING seq, prev_hash, last_hash
        )
        INSERT INTO {quote(AuditEntry._meta.db_table)}
            ({", ".join(quote(field.column) for field in fields)}, seq, prev_hash, entry_hash)
        SELECT {", ".join(["%s"] * len(fields))}, head.seq, head.prev_hash, head.last_hash
        FROM head
        RETURNING id, seq, prev_hash, entry_hash
    """  # noqa: S608 - table and column names from the models, values as parameters
    params = [content_digest(entry), entry.chain]
    params += [
        field.get_db_prep_save(getattr(entry, field.attname), connection) for field in fields
    ]
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        if row is None:  # the chain's first entry: make its head, then link
            AuditChainHead.objects.bulk_create(
                [AuditChainHead(chain=entry.chain)], ignore_conflicts=True
            )
            cursor.execute(sql, params)
            row = cursor.fetchone()
    entry.pk, entry.seq, entry.prev_hash, entry.entry_hash = row
    entry._state.adding = False
    entry._state.db = connection.alias


def append_many(entries: Sequence[AuditEntry]) -> None:
    """Link and insert many entries at once (one query per step, whatever their number)."""
    if not entries:
        return
    for entry in entries:
        _prepare(entry)
    now = timezone.now()
    for entry in entries:
        entry.timestamp = now
    with transaction.atomic(savepoint=False):
        heads = _locked_heads(entry.chain for entry in entries)
        for entry in entries:
            _link(entry, heads[entry.chain])
        AuditEntry.objects.bulk_create(entries)
        AuditChainHead.objects.bulk_update(list(heads.values()), ["seq", "prev_hash", "last_hash"])


@dataclass(frozen=True, slots=True)
class ChainReport:
    chain: int
    checked: int
    ok: bool
    broken_seq: int | None = None
    broken_entry_id: int | None = None
    problem: str = ""


def chain_verify(*, chain: int) -> ChainReport:
    """Walk one chain from its anchor and report the first broken link, if any."""
    head = AuditChainHead.objects.filter(chain=chain).first()
    expected_seq = (head.anchor_seq if head else 0) + 1
    expected_prev = head.anchor_hash if head else ""
    checked = 0
    entries = AuditEntry.objects.filter(chain=chain).order_by("seq")
    for entry in entries.iterator(chunk_size=2000):
        problem = ""
        if entry.seq != expected_seq:
            problem = f"entry {expected_seq} is missing"
        elif entry.prev_hash != expected_prev:
            problem = "does not link to the entry before it"
        elif entry.entry_hash != entry_digest(entry):
            problem = "its content does not match its hash"
        if problem:
            return ChainReport(chain, checked, False, expected_seq, entry.pk, problem)
        checked += 1
        expected_seq += 1
        expected_prev = entry.entry_hash
    if head is not None and head.seq != expected_seq - 1:
        problem = f"entries after {expected_seq - 1} are missing (the chain ends at {head.seq})"
        return ChainReport(chain, checked, False, expected_seq, None, problem)
    return ChainReport(chain, checked, True)


def chains_present() -> list[int]:
    return list(AuditChainHead.objects.order_by("chain").values_list("chain", flat=True))
