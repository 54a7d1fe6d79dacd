from typing import Any

from apps.audit.models import AuditAction, AuditEntry


def entries(action: str | None = None, **filters: Any) -> list[AuditEntry]:
    """The trail's entries (oldest first), of one action if named."""
    queryset = AuditEntry.objects.filter(**filters).order_by("id")
    if action is not None:
        queryset = queryset.filter(action=AuditAction.by_name()[action])
    return list(queryset)


def only(action: str, **filters: Any) -> AuditEntry:
    found = entries(action, **filters)
    assert len(found) == 1, [f"{e.get_action_display()} {e.object_repr}" for e in found]
    return found[0]
