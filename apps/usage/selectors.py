"""Usage numbers for other apps (billing's overage) and for the usage endpoint."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Q, Sum
from django.utils import timezone

from apps.estates import selectors as estate_selectors
from apps.usage.counters import caller_id, company_windows, counter_store
from apps.usage.models import UsageRecord
from apps.usage.services import FLUSH_DAYS

logger = logging.getLogger(__name__)


def _live_count(company_id: int, day: date) -> int | None:
    """The day's metered count from the counter store, or None if it cannot be read."""
    try:
        return counter_store().metered_for(company_id, day.strftime("%Y%m%d"))
    except Exception:
        logger.warning("Counter store unreachable; usage comes from flushed records only")
        return None


def api_calls_for_period(*, company_id: int, start: date, end: date) -> int:
    """Admitted API calls from ``start`` to ``end`` inclusive (company-local days).

    Flushed records, topped up with the live counters for the days not flushed for good.
    """
    records = dict(
        UsageRecord.objects.filter(company_id=company_id, day__range=(start, end)).values_list(
            "day", "api_calls"
        )
    )
    today = timezone.localdate()
    for offset in range(FLUSH_DAYS):
        day = today - timedelta(days=offset)
        if start <= day <= end:
            live = _live_count(company_id, day)
            if live is not None:
                records[day] = max(records.get(day, 0), live)
    return sum(records.values())


def api_calls_for_companies(
    *, company_ids: Iterable[int], start: date, end: date
) -> dict[int, int]:
    """``api_calls_for_period`` for many companies at once: one query, the database
    summing the flushed records, and one counter-store read per day still live (not one
    per company)."""
    ids = set(company_ids)
    today = timezone.localdate()
    live_days = [
        day
        for day in (today - timedelta(days=offset) for offset in range(FLUSH_DAYS))
        if start <= day <= end
    ]
    # The days still live are summed apart, each topped up with its live count below.
    flushed = Sum("api_calls", filter=~Q(day__in=live_days)) if live_days else Sum("api_calls")
    per_live_day = {
        f"day_{n}": Sum("api_calls", filter=Q(day=day)) for n, day in enumerate(live_days)
    }
    rows = (
        UsageRecord.objects.filter(company_id__in=ids, day__range=(start, end))
        .order_by()
        .values("company_id")
        .annotate(flushed=flushed, **per_live_day)
    )
    totals = dict.fromkeys(ids, 0)
    live_records: dict[tuple[int, date], int] = {}
    for row in rows:
        totals[row["company_id"]] = row["flushed"] or 0
        for n, day in enumerate(live_days):
            if row[f"day_{n}"] is not None:
                live_records[row["company_id"], day] = row[f"day_{n}"]
    for day in live_days:
        try:
            live = counter_store().metered(day.strftime("%Y%m%d"))
        except Exception:
            logger.warning("Counter store unreachable; usage comes from flushed records only")
            continue
        for company_id, calls in live.items():
            if company_id in ids:
                live_records[company_id, day] = max(live_records.get((company_id, day), 0), calls)
    for (company_id, _), calls in live_records.items():
        totals[company_id] += calls
    return totals


def plots_count(*, company_id: int, at: datetime | None = None) -> int:
    """Plots the company has (had at ``at``): what plot overage is billed on."""
    return estate_selectors.plots_count(company_id=company_id, at=at)


def plots_count_for_companies(*, company_ids: Iterable[int], at: datetime) -> dict[int, int]:
    """``plots_count`` for many companies in one query."""
    return estate_selectors.plots_count_for_companies(company_ids=company_ids, at=at)


@dataclass(frozen=True, slots=True)
class LimitUsage:
    used: int
    limit: int
    resets_at: datetime


@dataclass(frozen=True, slots=True)
class UsageSummary:
    caller_hourly: LimitUsage  # the caller's own hour
    caller_daily: LimitUsage  # the caller's share of the company's day
    # Marketers and clients together, against the share of the day they may use (admins
    # and API keys are not counted in it, and not limited by it).
    members_daily: LimitUsage
    company_daily: LimitUsage  # the company's day, every caller together
    month_to_date: int
    plots: int
    max_plots: int


def usage_summary(
    *,
    company_id: int,
    user_id: int | None,
    api_key_id: int | None,
    role: str,
    hourly_limit: int,
    daily_limit: int,
    max_plots: int,
) -> UsageSummary:
    """Current usage against the limits of one caller (a user or an API key, acting in
    ``role``), of the company's marketers and clients together, and of the company."""
    now = timezone.now()
    windows = company_windows(
        company_id=company_id,
        caller=caller_id(user_id=user_id, api_key_id=api_key_id),
        role=role,
        hourly_limit=hourly_limit,
        daily_limit=daily_limit,
        now=now,
    )
    shown = (windows.caller_hour, windows.caller_day, windows.members_day, windows.company_day)
    try:
        counts = counter_store().peek(shown)
    except Exception:
        counts = (0,) * len(shown)
    caller_hourly, caller_daily, members_daily, company_daily = (
        LimitUsage(used=min(count, window.limit), limit=window.limit, resets_at=window.resets_at)
        for window, count in zip(shown, counts, strict=True)
    )
    today = timezone.localdate(now)
    return UsageSummary(
        caller_hourly=caller_hourly,
        caller_daily=caller_daily,
        members_daily=members_daily,
        company_daily=company_daily,
        month_to_date=api_calls_for_period(
            company_id=company_id, start=today.replace(day=1), end=today
        ),
        plots=plots_count(company_id=company_id),
        max_plots=max_plots,
    )
