from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from apps.analytics import services


@shared_task(name="analytics.flush_events")
def flush_events() -> int:
    """Periodic (every minute): the buffered activity events into AnalyticsEvent."""
    return services.events_flush()


@shared_task(name="analytics.build_daily_rollups")
def build_daily_rollups() -> dict[str, int]:
    """Nightly: every registered roll-up for yesterday (Lagos), replacing what was there."""
    yesterday = timezone.localdate() - timedelta(days=1)
    return services.rollups_build(first=yesterday, last=yesterday)


@shared_task(name="analytics.prune_events")
def prune_events() -> int:
    """Daily: events older than ANALYTICS_EVENT_RETENTION_DAYS deleted."""
    return services.events_prune()
