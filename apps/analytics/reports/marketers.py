"""Marketers: each one's completed sales and commissions earned, approved and paid in
the range, ranked by sales value (then count); and the same figures by period."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from apps.accounts.selectors import user_display_for
from apps.analytics.models import MarketerDailyPerformance
from apps.analytics.reports.periods import (
    ReportRange,
    as_date,
    grouped_rollup,
    periods,
    report_head,
)
from apps.core.money import round_kobo
from apps.marketers.selectors import affiliation_user_ids

FIGURES = (
    "sales_count",
    "sales_value",
    "commission_earned",
    "commission_approved",
    "commission_paid",
)
CSV_COLUMNS = ("period_start", "period_end", "rank", "affiliation_id", "marketer_name", *FIGURES)
ZERO = Decimal("0.00")


def _empty() -> dict[str, Any]:
    return {name: 0 if name == "sales_count" else ZERO for name in FIGURES}


def _add(into: dict[str, Any], figures: dict[str, Any]) -> None:
    for name in FIGURES:
        into[name] += figures[name] or 0


def _finished(figures: dict[str, Any]) -> dict[str, Any]:
    # Money as strings to the kobo, as the JSON carries it.
    return {name: v if name == "sales_count" else str(round_kobo(v)) for name, v in figures.items()}


def marketers_report(*, company_id: int, report_range: ReportRange) -> dict[str, Any]:
    rows = grouped_rollup(
        MarketerDailyPerformance,
        company_id=company_id,
        report_range=report_range,
        by=("affiliation_id",),
        figures=FIGURES,
    )
    spans = periods(report_range)
    by_period = {bucket: _empty() for bucket, _, _ in spans}
    by_marketer: dict[int, dict[str, Any]] = {}
    marketer_periods: dict[int, dict[Any, dict[str, Any]]] = {}
    for row in rows:
        bucket = as_date(row["bucket"])
        _add(by_period[bucket], row)
        _add(by_marketer.setdefault(row["affiliation_id"], _empty()), row)
        _add(
            marketer_periods.setdefault(row["affiliation_id"], {}).setdefault(bucket, _empty()), row
        )
    users = affiliation_user_ids(company_id=company_id, affiliation_ids=by_marketer)
    people = user_display_for(user_ids=users.values())
    ranked = sorted(
        by_marketer.items(),
        key=lambda item: (-item[1]["sales_value"], -item[1]["sales_count"], item[0]),
    )
    totals = _empty()
    for figures in by_period.values():
        _add(totals, figures)
    marketers = []
    for rank, (affiliation_id, figures) in enumerate(ranked, start=1):
        person = people.get(users.get(affiliation_id, 0))
        marketers.append(
            {
                "rank": rank,
                "affiliation_id": affiliation_id,
                "marketer_name": person.full_name if person else "",
                **_finished(figures),
                "periods": [
                    {"start": first.isoformat(), "end": last.isoformat(), **_finished(own[bucket])}
                    for bucket, first, last in spans
                    if (own := marketer_periods[affiliation_id]).get(bucket)
                ],
            }
        )
    return {
        **report_head(report_range),
        "totals": _finished(totals),
        "periods": [
            {"start": first.isoformat(), "end": last.isoformat(), **_finished(by_period[bucket])}
            for bucket, first, last in spans
        ],
        "marketers": marketers,
    }


def marketers_csv_rows(report: dict[str, Any]) -> Iterable[list[Any]]:
    """One row per period and marketer with any activity in it, in rank order."""
    for marketer in report["marketers"]:
        for period in marketer["periods"]:
            yield [
                period["start"],
                period["end"],
                marketer["rank"],
                marketer["affiliation_id"],
                marketer["marketer_name"],
                *(period[name] for name in FIGURES),
            ]
