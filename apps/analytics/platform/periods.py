"""Report periods: a date range cut into days, ISO weeks (Monday first) or months."""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class Granularity(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True, slots=True)
class ReportPeriod:
    label: str  # 2026-10-05, 2026-W41 or 2026-10
    start: date  # clipped to the report's range
    end: date


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def month_end(day: date) -> date:
    return _next_month(day) - timedelta(days=1)


def _bucket(day: date, granularity: str) -> tuple[str, date, date]:
    if granularity == Granularity.DAY:
        return day.isoformat(), day, day
    if granularity == Granularity.WEEK:
        monday = day - timedelta(days=day.weekday())
        year, week, _ = monday.isocalendar()
        return f"{year}-W{week:02d}", monday, monday + timedelta(days=6)
    first = day.replace(day=1)
    return f"{first:%Y-%m}", first, month_end(first)


def periods_between(start: date, end: date, granularity: str) -> list[ReportPeriod]:
    """The periods covering [``start``, ``end``], the first and last clipped to it."""
    periods = []
    day = start
    while day <= end:
        label, first, last = _bucket(day, granularity)
        periods.append(ReportPeriod(label=label, start=max(first, start), end=min(last, end)))
        day = last + timedelta(days=1)
    return periods


def period_count(start: date, end: date, granularity: str) -> int:
    if granularity == Granularity.DAY:
        return (end - start).days + 1
    if granularity == Granularity.WEEK:
        first = start - timedelta(days=start.weekday())
        return (end - first).days // 7 + 1
    return (end.year - start.year) * 12 + end.month - start.month + 1
