"""Recording one event: into the buffer, never the database (see buffer.py)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone

from apps.analytics.events.buffer import Event, event_buffer


def event_record(
    *,
    company_id: int,
    kind: str,
    user_id: int | None = None,
    role: str = "",
    object_id: int | None = None,
    metadata: dict[str, Any] | None = None,
) -> None:
    """Buffer one activity event (nothing when ANALYTICS_CAPTURE_EVENTS is off)."""
    if not settings.ANALYTICS_CAPTURE_EVENTS:
        return
    event_buffer().add(
        Event(
            company_id=company_id,
            kind=kind,
            occurred_at=timezone.now(),
            user_id=user_id,
            role=role,
            object_id=object_id,
            metadata=metadata or {},
        )
    )
