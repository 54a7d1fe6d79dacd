"""A report's range (Lagos days, inclusive) cut into periods by day, ISO week (Monday
first) or calendar month; a period is clipped to the range at either end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import models
from django.db.models import F, Sum
from django.db.models.functions import TruncMonth, TruncWeek


class Granularity(models.TextChoices):
    DAY = "day", "Day"
    WEEK = "week", "Week"
    MONTH = "month", "Month"


@dataclass(frozen=True, slots=True)
class ReportRange:
    start: date
    end: date
    granularity: str


def bucket_of(day: date, granularity: str) -> date:
    if granularity == Granularity.WEEK:
        return day - timedelta(days=day.weekday())
    if granularity == Granularity.MONTH:
        return day.replace(day=1)
    return day


def _next_bucket(bucket: date, granularity: str) -> date:
    if granularity == Granularity.WEEK:
        return bucket + timedelta(days=7)
    if granularity == Granularity.MONTH:
        return (bucket + timedelta(days=32)).replace(day=1)
    return bucket + timedelta(days=1)


def periods(report_range: ReportRange) -> list[tuple[date, date, date]]:
    """(bucket key, first day, last day) of each period, clipped to the range."""
    result = []
    bucket = bucket_of(report_range.start, report_range.granularity)
    while bucket <= report_range.end:
        following = _next_bucket(bucket, report_range.granularity)
        first = max(bucket, report_range.start)
        last = min(following - timedelta(days=1), report_range.end)
        result.append((bucket, first, last))
        bucket = following
    return result


def bucket_expression(granularity: str) -> Any:
    """The SQL expression grouping a roll-up's ``day`` into its period's key."""
    if granularity == Granularity.WEEK:
        return TruncWeek("day", output_field=models.DateField())
    if granularity == Granularity.MONTH:
        return TruncMonth("day", output_field=models.DateField())
    return F("day")


def as_date(value: Any) -> date:
    # Some backends hand a truncated date back as a datetime.
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def grouped_rollup(
    model: type[models.Model],
    *,
    company_id: int,
    report_range: ReportRange,
    by: tuple[str, ...],
    figures: tuple[str, ...],
) -> Any:
    """One company's roll-up rows in the range, summed per period (``bucket``) and ``by``:
    the one query a report makes."""
    return (
        model.objects.filter(
            company_id=company_id, day__gte=report_range.start, day__lte=report_range.end
        )
        .annotate(bucket=bucket_expression(report_range.granularity))
        .order_by()
        .values("bucket", *by)
        .annotate(**{name: Sum(name) for name in figures})
    )


def report_head(report_range: ReportRange) -> dict[str, Any]:
    return {
        "from": report_range.start.isoformat(),
        "to": report_range.end.isoformat(),
        "granularity": report_range.granularity,
    }
