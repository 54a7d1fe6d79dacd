from celery import shared_task

from apps.usage.services import usage_flush


@shared_task(name="usage.flush_counters")
def flush_usage_counters() -> int:
    """Periodic (every 5 minutes): metered request counts into UsageRecord. Idempotent."""
    return usage_flush().records_written
