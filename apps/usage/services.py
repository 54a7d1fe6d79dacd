"""Usage services: flushing the metering counters into UsageRecord."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.request import Request

from apps.core.tenancy import Tenant
from apps.usage.counters import USAGE_TTL, Guard, counter_store
from apps.usage.models import UsageRecord
from apps.usage.throttling import count_early

__all__ = ["FlushSummary", "Guard", "api_request_count_early", "usage_flush"]

# Days looked at by a flush: today and the days whose counters may still be alive.
FLUSH_DAYS = USAGE_TTL // 86400


@dataclass(frozen=True, slots=True)
class FlushSummary:
    records_written: int
    days: tuple[date, ...]


def api_request_count_early(
    *, request: Request, tenant: Tenant, guard: Guard | None = None
) -> bool:
    """Check and count an API request for ``tenant`` as it is authenticated, in the same
    atomic step as ``guard``'s check if given (one round trip from a cached sign-in);
    False if nothing was counted (then the throttle counts it)."""
    return count_early(request, tenant, guard)


def usage_flush(*, now: datetime | None = None) -> FlushSummary:
    """Copy each company's metered count for recent days into UsageRecord.

    Counters hold the day's running total, so a flush writes totals, never increments:
    running it twice, or again after a crash halfway, gives the same rows. A record never
    goes down (a counter lost with a Redis restart cannot erase what was flushed).
    """
    today = timezone.localdate(now or timezone.now())
    days = tuple(today - timedelta(days=offset) for offset in range(FLUSH_DAYS))
    store = counter_store()
    written = 0
    for day in days:
        counts = store.metered(day.strftime("%Y%m%d"))
        for company_id, calls in counts.items():
            written += _record(company_id=company_id, day=day, calls=calls)
    return FlushSummary(records_written=written, days=days)


def _raise_to(company_id: int, day: date, calls: int) -> int:
    return UsageRecord.objects.filter(company_id=company_id, day=day, api_calls__lt=calls).update(
        api_calls=calls, updated_at=timezone.now()
    )


def _record(*, company_id: int, day: date, calls: int) -> int:
    """Raise the day's record to ``calls`` (creating it); returns 1 if a row changed."""
    if _raise_to(company_id, day, calls):
        return 1
    if UsageRecord.objects.filter(company_id=company_id, day=day).exists():
        return 0  # already at least this high
    try:
        with transaction.atomic():
            UsageRecord.objects.create(company_id=company_id, day=day, api_calls=calls)
        return 1
    except IntegrityError:
        # The row exists (maybe just created by a concurrent flush with an older count).
        return _raise_to(company_id, day, calls)
