from celery import shared_task

from apps.search.services import search_analytics_flush


@shared_task(name="search.flush_analytics")
def flush_search_analytics() -> int:
    """Periodic (every minute): buffered search counts into SearchTermDay."""
    return search_analytics_flush()
