"""Changing the trail: recording an export of it, and retention (the only deletion)."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import pgtrigger
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from apps.audit.chain import PLATFORM_CHAIN
from apps.audit.models import AuditAction, AuditChainHead, AuditEntry
from apps.audit.recording import EventEntry, entry_record
from apps.companies.selectors import billing_accounts_for

FILTER_VALUE_MAX = 255
# The trigger that refuses UPDATE and DELETE on the trail (pgtrigger's "model:name" URI).
APPEND_ONLY_TRIGGER = "audit.AuditEntry:append_only"


def export_record(*, company_id: int, filters: Mapping[str, str]) -> None:
    """Record that the company's trail was exported, with the filters that chose what."""
    entry_record(
        EventEntry(
            action=AuditAction.EXPORT,
            company_id=company_id,
            object_repr="audit trail (CSV)",
            data={
                "kind": "audit_csv",
                "filters": {key: value[:FILTER_VALUE_MAX] for key, value in filters.items()},
            },
        )
    )


@dataclass(frozen=True, slots=True)
class RetentionResult:
    chain: int
    tier: str
    cutoff: datetime
    due: int
    deleted: int


def _retention_days(tier: str | None) -> int:
    if tier is None:
        return settings.AUDIT_PLATFORM_RETENTION_DAYS
    return settings.AUDIT_RETENTION_DAYS[tier]


def _last_due_seq(head: AuditChainHead, cutoff: datetime) -> int:
    """The end of the chain's oldest run of entries all older than the cutoff: retention
    deletes only from the start, so the rest stays a chain from the anchor."""
    first_kept = (
        AuditEntry.objects.filter(chain=head.chain, seq__gt=head.anchor_seq, timestamp__gte=cutoff)
        .order_by("seq")
        .values_list("seq", flat=True)
        .first()
    )
    return head.seq if first_kept is None else first_kept - 1


def _delete_through(head: AuditChainHead, last_seq: int, now: datetime) -> int:
    with transaction.atomic(), pgtrigger.ignore(APPEND_ONLY_TRIGGER):
        head = AuditChainHead.objects.select_for_update().get(pk=head.pk)
        if last_seq <= head.anchor_seq:
            return 0
        last = AuditEntry.objects.get(chain=head.chain, seq=last_seq)
        doomed = AuditEntry.objects.filter(chain=head.chain, seq__lte=last_seq)
        # The trail's own queryset refuses deletion; this is the one place allowed to.
        deleted, _ = models.QuerySet.delete(doomed)
        head.anchor_seq, head.anchor_hash, head.anchored_at = last_seq, last.entry_hash, now
        head.save(update_fields=["anchor_seq", "anchor_hash", "anchored_at"])
        return deleted


def audit_retention_apply(
    *, now: datetime | None = None, dry_run: bool = False, batch_size: int = 5000
) -> list[RetentionResult]:
    """Delete each chain's entries older than its company's tier keeps them (the platform's
    chain: AUDIT_PLATFORM_RETENTION_DAYS), oldest first, ``batch_size`` per transaction;
    each chain's head records where it now starts, so verification still passes."""
    now = now or timezone.now()
    heads = list(AuditChainHead.objects.order_by("chain"))
    accounts = billing_accounts_for(
        company_ids=[head.chain for head in heads if head.chain != PLATFORM_CHAIN]
    )
    results = []
    for head in heads:
        account = accounts.get(head.chain)
        tier = account.tier if account is not None else None
        if head.chain != PLATFORM_CHAIN and account is None:
            continue  # a company that no longer exists: kept, for whoever asks after it
        cutoff = now - timedelta(days=_retention_days(tier))
        last_due = _last_due_seq(head, cutoff)
        due = max(last_due - head.anchor_seq, 0)
        deleted = 0
        if due and not dry_run:
            start = head.anchor_seq
            while start < last_due:
                end = min(start + batch_size, last_due)
                deleted += _delete_through(head, end, now)
                start = end
        results.append(RetentionResult(head.chain, tier or "platform", cutoff, due, deleted))
    return results
