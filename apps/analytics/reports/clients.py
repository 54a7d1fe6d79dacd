"""Clients and activity: new clients, logins, plot and estate views, searches, exports,
and viewing-to-buying conversion, by period.

Conversion is ``buyers_who_viewed / plot_viewers``: clients who bought having viewed one
of the company's plots in the ANALYTICS_CONVERSION_LOOKBACK_DAYS before, per client who
viewed a plot, both counted once per day (a client viewing on three days counts three
times). It is a ratio of daily counts, so a period with many earlier viewers buying can
exceed 1."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from apps.analytics.models import CompanyDailyActivity
from apps.analytics.reports.periods import (
    ReportRange,
    as_date,
    grouped_rollup,
    periods,
    report_head,
)

FIGURES = (
    "new_clients",
    "logins",
    "plot_views",
    "estate_views",
    "searches",
    "exports",
    "plot_viewers",
    "buyers",
    "buyers_who_viewed",
)
CSV_COLUMNS = ("period_start", "period_end", *FIGURES, "conversion_rate")
RATE_PLACES = Decimal("0.0001")


def _finished(figures: dict[str, int]) -> dict[str, Any]:
    viewers = figures["plot_viewers"]
    rate = (
        (Decimal(figures["buyers_who_viewed"]) / viewers).quantize(RATE_PLACES, ROUND_HALF_UP)
        if viewers
        else None
    )
    return {**figures, "conversion_rate": None if rate is None else str(rate)}


def clients_report(*, company_id: int, report_range: ReportRange) -> dict[str, Any]:
    rows = grouped_rollup(
        CompanyDailyActivity,
        company_id=company_id,
        report_range=report_range,
        by=(),
        figures=FIGURES,
    )
    spans = periods(report_range)
    by_period = {bucket: dict.fromkeys(FIGURES, 0) for bucket, _, _ in spans}
    for row in rows:
        bucket = by_period[as_date(row["bucket"])]
        for name in FIGURES:
            bucket[name] += row[name] or 0
    totals = dict.fromkeys(FIGURES, 0)
    for figures in by_period.values():
        for name in FIGURES:
            totals[name] += figures[name]
    return {
        **report_head(report_range),
        "totals": _finished(totals),
        "periods": [
            {"start": first.isoformat(), "end": last.isoformat(), **_finished(by_period[bucket])}
            for bucket, first, last in spans
        ],
    }


def clients_csv_rows(report: dict[str, Any]) -> Iterable[list[Any]]:
    for period in report["periods"]:
        yield [
            period["start"],
            period["end"],
            *(period[name] for name in FIGURES),
            period["conversion_rate"],
        ]
