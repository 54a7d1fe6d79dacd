"""Reading the trail."""

from apps.audit.chain import chain_of
from apps.audit.models import AuditChainHead, AuditEntry, AuditEntryQuerySet


def entries_for_company(*, company_id: int) -> AuditEntryQuerySet:
    """A company's entries, newest first, with what their display needs joined in."""
    return (
        AuditEntry.objects.for_company(company_id)
        .select_related("content_type")
        .order_by("-timestamp", "-id")
    )


def chain_position(*, company_id: int) -> tuple[int, int]:
    """Where the company's chain stands: its last entry's number and the number retention
    last deleted through. Only an append or retention moves either, and the company has
    exactly ``last - anchor`` entries (numbers run on without gaps)."""
    row = (
        AuditChainHead.objects.filter(chain=chain_of(company_id))
        .values_list("seq", "anchor_seq")
        .first()
    )
    return row or (0, 0)
