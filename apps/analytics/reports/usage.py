"""Usage against the plan: API calls per day against the daily limit, plots held against
the plan's, and seats (active members; marketers against the plan's). Counts held (plots,
seats) and limits are the period's last built day's."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from apps.analytics.models import CompanyDailyActivity
from apps.analytics.reports.periods import ReportRange, bucket_of, periods, report_head

HELD = (
    "api_calls_daily_limit",
    "plots",
    "plots_limit",
    "members",
    "marketers",
    "marketers_limit",
)
FIGURES = ("api_calls", "api_calls_peak_day", "days_over_limit", *HELD)
CSV_COLUMNS = ("period_start", "period_end", *FIGURES)


def _empty() -> dict[str, Any]:
    return {"api_calls": 0, "api_calls_peak_day": 0, "days_over_limit": 0, **dict.fromkeys(HELD)}


def _add_day(into: dict[str, Any], day: dict[str, Any]) -> None:
    into["api_calls"] += day["api_calls"]
    into["api_calls_peak_day"] = max(into["api_calls_peak_day"], day["api_calls"])
    into["days_over_limit"] += day["api_calls"] > day["api_calls_daily_limit"]
    for name in HELD:  # days come in order: the last one stays
        into[name] = day[name]


def usage_report(*, company_id: int, report_range: ReportRange) -> dict[str, Any]:
    days = (
        CompanyDailyActivity.objects.filter(
            company_id=company_id, day__gte=report_range.start, day__lte=report_range.end
        )
        .order_by("day")
        .values("day", "api_calls", *HELD)
    )
    spans = periods(report_range)
    by_period = {bucket: _empty() for bucket, _, _ in spans}
    totals = _empty()
    for day in days:
        _add_day(by_period[bucket_of(day["day"], report_range.granularity)], day)
        _add_day(totals, day)
    return {
        **report_head(report_range),
        "totals": totals,
        "periods": [
            {"start": first.isoformat(), "end": last.isoformat(), **by_period[bucket]}
            for bucket, first, last in spans
        ],
    }


def usage_csv_rows(report: dict[str, Any]) -> Iterable[list[Any]]:
    for period in report["periods"]:
        yield [period["start"], period["end"], *(period[name] for name in FIGURES)]
