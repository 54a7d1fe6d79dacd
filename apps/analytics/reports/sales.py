"""Sales: plots sold and their value, by period and by estate; average price per square
metre; pending against completed. Completed sales count on the day they completed,
pending purchases on the day they were made (as they stood when the day was built)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from apps.analytics.models import EstateDailySales
from apps.analytics.reports.periods import (
    ReportRange,
    as_date,
    grouped_rollup,
    periods,
    report_head,
)
from apps.core.money import round_kobo
from apps.estates.selectors import estate_names_for

FIGURES = (
    "completed_count",
    "completed_value",
    "completed_sqm",
    "pending_count",
    "pending_value",
    "pending_sqm",
)
CSV_COLUMNS = (
    "period_start",
    "period_end",
    "estate_id",
    "estate_name",
    *FIGURES,
    "average_price_per_sqm",
)
ZERO = Decimal("0.00")
COUNTS = frozenset(name for name in FIGURES if name.endswith("_count"))
EMPTY = {name: 0 if name in COUNTS else ZERO for name in FIGURES}


def _empty() -> dict[str, Any]:
    return dict(EMPTY)


def _add(into: dict[str, Any], figures: dict[str, Any]) -> None:
    for name in FIGURES:
        into[name] += figures[name] or 0


def _finished(figures: dict[str, Any]) -> dict[str, Any]:
    """Counts as they are; money and areas as strings to the kobo (what the JSON carries:
    rendering Decimals one by one would cost more than building the report)."""
    sqm = figures["completed_sqm"]
    average = round_kobo(figures["completed_value"] / sqm) if sqm else None
    # Sums of amounts to the kobo are exact to the kobo: formatting is enough.
    out = {name: value if name in COUNTS else f"{value:.2f}" for name, value in figures.items()}
    out["average_price_per_sqm"] = None if average is None else str(average)
    return out


def sales_report(*, company_id: int, report_range: ReportRange) -> dict[str, Any]:
    rows = grouped_rollup(
        EstateDailySales,
        company_id=company_id,
        report_range=report_range,
        by=("estate_id",),
        figures=FIGURES,
    )
    spans = periods(report_range)
    by_period = {bucket: _empty() for bucket, _, _ in spans}
    by_estate: dict[int, dict[Any, dict[str, Any]]] = {}
    for row in rows:
        bucket = as_date(row["bucket"])
        _add(by_period[bucket], row)
        estate = by_estate.get(row["estate_id"])
        if estate is None:
            estate = by_estate[row["estate_id"]] = {b: _empty() for b, _, _ in spans}
        _add(estate[bucket], row)
    names = estate_names_for(company_id=company_id, estate_ids=by_estate)
    totals = _empty()
    for figures in by_period.values():
        _add(totals, figures)

    def series(buckets: dict[Any, dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {"start": first.isoformat(), "end": last.isoformat(), **_finished(buckets[bucket])}
            for bucket, first, last in spans
        ]

    estates = []
    for estate_id, buckets in by_estate.items():
        estate_totals = _empty()
        for figures in buckets.values():
            _add(estate_totals, figures)
        estates.append(
            {
                "estate_id": estate_id,
                "estate_name": names.get(estate_id, ""),
                **_finished(estate_totals),
                "periods": series(buckets),
            }
        )
    estates.sort(key=lambda estate: (-Decimal(estate["completed_value"]), estate["estate_id"]))
    return {
        **report_head(report_range),
        "totals": _finished(totals),
        "periods": series(by_period),
        "estates": estates,
    }


def sales_csv_rows(report: dict[str, Any]) -> Iterable[list[Any]]:
    """One row per period and estate that sold or reserved anything in it."""
    for estate in report["estates"]:
        for period in estate["periods"]:
            if period["completed_count"] or period["pending_count"]:
                yield [
                    period["start"],
                    period["end"],
                    estate["estate_id"],
                    estate["estate_name"],
                    *(period[name] for name in FIGURES),
                    period["average_price_per_sqm"],
                ]
