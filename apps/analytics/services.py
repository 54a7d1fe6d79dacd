"""Analytics' writes: the buffered events flushed in bulk, old events pruned, and the
daily roll-ups (re)built by every registered builder."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.analytics.events.buffer import event_buffer
from apps.analytics.models import AnalyticsEvent
from apps.analytics.reports.cache import rollups_changed
from apps.analytics.rollups.registry import builders

INSERT_BATCH = 2000
PRUNE_BATCH = 10_000


def events_flush() -> int:
    """Write the buffered events to AnalyticsEvent in bulk; returns how many were taken.
    An event already written (a flush that failed after inserting) is skipped."""
    buffer = event_buffer()
    events = buffer.take()
    rows = [
        AnalyticsEvent(
            event_id=uuid.UUID(event.event_id),
            company_id=event.company_id,
            user_id=event.user_id,
            role=event.role,
            kind=event.kind,
            object_id=event.object_id,
            occurred_at=event.occurred_at,
            metadata=event.metadata,
        )
        for event in events
    ]
    with transaction.atomic():
        AnalyticsEvent.objects.bulk_create(rows, batch_size=INSERT_BATCH, ignore_conflicts=True)
    buffer.done()
    return len(rows)


def events_prune(*, now: datetime | None = None) -> int:
    """Delete events older than ANALYTICS_EVENT_RETENTION_DAYS, oldest first, in batches
    (no long lock); returns how many went."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.ANALYTICS_EVENT_RETENTION_DAYS)
    deleted = 0
    while True:
        ids = list(
            AnalyticsEvent.objects.filter(occurred_at__lt=cutoff)
            .order_by("occurred_at")
            .values_list("pk", flat=True)[:PRUNE_BATCH]
        )
        if not ids:
            return deleted
        deleted += AnalyticsEvent.objects.filter(pk__in=ids).delete()[0]


def rollups_build(
    *, first: date, last: date, company_ids: Sequence[int] | None = None
) -> dict[str, int]:
    """Replace the roll-ups of every day from ``first`` to ``last`` (inclusive) for the
    given companies (None: all), builder by builder, each day in its own transaction;
    returns the rows each builder wrote."""
    written = {name: 0 for name, _ in builders()}
    day = first
    while day <= last:
        with transaction.atomic():
            for name, builder in builders():
                written[name] += builder(day, company_ids)
        day += timedelta(days=1)
    rollups_changed()
    return written
