"""Reading the trail."""

from apps.audit.models import AuditEntry, AuditEntryQuerySet


def entries_for_company(*, company_id: int) -> AuditEntryQuerySet:
    """A company's entries, newest first, with what their display needs joined in."""
    return (
        AuditEntry.objects.for_company(company_id)
        .select_related("content_type")
        .order_by("-timestamp", "-id")
    )
