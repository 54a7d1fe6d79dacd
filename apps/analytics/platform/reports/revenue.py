"""Revenue: MRR and ARR with their movements, by period and tier; cash and receivables."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from apps.analytics.platform.periods import periods_between
from apps.analytics.platform.reports.common import (
    closing_day,
    stocks_at,
    sum_flows,
    tier_days,
    tiers_in,
)

MONTHS_IN_YEAR = 12


@dataclass(frozen=True, slots=True)
class RevenueReport:
    periods: list[dict[str, Any]]
    by_tier: list[dict[str, Any]]


def _row(days: Any, period: Any, tier: str | None) -> dict[str, Any]:
    opening = stocks_at(days, period.start - timedelta(days=1), tier)
    closing = stocks_at(days, closing_day(days, period.start, period.end), tier)
    flows = sum_flows(days, period.start, period.end, tier)
    net_new = (
        flows["new_mrr"]
        + flows["expansion_mrr"]
        + flows["reactivation_mrr"]
        - flows["contraction_mrr"]
        - flows["churned_mrr"]
    )
    return {
        "period": period.label,
        "start": period.start,
        "end": period.end,
        "opening_mrr": opening["mrr"],
        "new_mrr": flows["new_mrr"],
        "expansion_mrr": flows["expansion_mrr"],
        "reactivation_mrr": flows["reactivation_mrr"],
        "contraction_mrr": flows["contraction_mrr"],
        "churned_mrr": flows["churned_mrr"],
        "net_new_mrr": net_new,
        "mrr": closing["mrr"],
        "arr": closing["mrr"] * MONTHS_IN_YEAR,
        "paying_companies": closing["paying"],
        "cash_collected": flows["cash_collected"],
        "outstanding": closing["outstanding"],
        "overdue": closing["overdue"],
    }


def revenue_report(*, start: date, end: date, granularity: str) -> RevenueReport:
    """MRR at each period's end and how it moved during the period (every tier, and per
    tier), with the cash received in it and what was owed at its end. One query."""
    days = tier_days(start - timedelta(days=1), end)
    periods = periods_between(start, end, granularity)
    totals = [_row(days, period, None) for period in periods]
    by_tier = [
        {"tier": tier, **_row(days, period, tier)} for period in periods for tier in tiers_in(days)
    ]
    return RevenueReport(periods=totals, by_tier=by_tier)
