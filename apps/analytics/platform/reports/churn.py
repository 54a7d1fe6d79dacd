"""Churn: cancellations and suspensions with their reasons, logo and revenue churn rates,
and trial-to-paid conversion by signup month."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from apps.analytics.platform.periods import periods_between
from apps.analytics.platform.reports.common import (
    latest_day,
    rate,
    stocks_at,
    sum_flows,
    tier_days,
    tiers_in,
)
from apps.analytics.platform_models import PlatformCompanyDay
from apps.companies.selectors import SubscriptionStatus, company_names_for

LOST = (SubscriptionStatus.CANCELLED, SubscriptionStatus.SUSPENDED)
# The events table lists this many, newest first; the counts cover them all.
MAX_EVENTS = 500


@dataclass(frozen=True, slots=True)
class ChurnReport:
    periods: list[dict[str, Any]]
    by_tier: list[dict[str, Any]]
    reasons: list[dict[str, Any]]
    events: list[dict[str, Any]]
    trial_conversion: list[dict[str, Any]]


def _rates(days: Any, period: Any, tier: str | None) -> dict[str, Any]:
    opening = stocks_at(days, period.start - timedelta(days=1), tier)
    flows = sum_flows(days, period.start, period.end, tier)
    lost = flows["churned_mrr"] + flows["contraction_mrr"]
    regained = flows["expansion_mrr"] + flows["reactivation_mrr"]
    return {
        "period": period.label,
        "start": period.start,
        "end": period.end,
        "opening_paying": opening["paying"],
        "churned_companies": flows["churned_companies"],
        "logo_churn_rate": rate(flows["churned_companies"], opening["paying"]),
        "opening_mrr": opening["mrr"],
        "churned_mrr": flows["churned_mrr"],
        "contraction_mrr": flows["contraction_mrr"],
        "gross_revenue_churn_rate": rate(lost, opening["mrr"]),
        "net_revenue_churn_rate": rate(lost - regained, opening["mrr"]),
        "cancellations": flows["cancellations"],
        "suspensions": flows["suspensions"],
    }


def _lost_rows(start: date, end: date) -> Any:
    return PlatformCompanyDay.objects.filter(
        day__range=(start, end), status_changed=True, status__in=LOST
    )


def _reasons(start: date, end: date, periods: list[Any]) -> list[dict[str, Any]]:
    label_of = {}
    for period in periods:
        day = period.start
        while day <= period.end:
            label_of[day] = period.label
            day += timedelta(days=1)
    counts: Counter[tuple[str, str, str, str]] = Counter()
    for day, tier, status, reason, companies in (
        _lost_rows(start, end)
        .order_by()
        .values("day", "tier", "status", "reason")
        .annotate(companies=Count("*"))
        .values_list("day", "tier", "status", "reason", "companies")
    ):
        counts[label_of[day], tier, status, reason] += companies
    return [
        {"period": period, "tier": tier, "status": status, "reason": reason, "companies": n}
        for (period, tier, status, reason), n in sorted(counts.items())
    ]


def _events(start: date, end: date) -> list[dict[str, Any]]:
    rows = list(
        _lost_rows(start, end)
        .order_by("-day", "company_id")
        .values("day", "company_id", "tier", "status", "previous_status", "reason", "previous_mrr")[
            :MAX_EVENTS
        ]
    )
    names = company_names_for(company_ids=[row["company_id"] for row in rows])
    return [
        {**row, "company_name": names.get(row["company_id"], ""), "mrr_lost": row["previous_mrr"]}
        for row in rows
    ]


def trial_conversion(*, start: date, end: date) -> list[dict[str, Any]]:
    """Per signup month from ``start`` to ``end``: companies that began on a trial, and
    how many of them had paid by the last day rolled up (at most ``end``)."""
    day = latest_day(end)
    if day is None:
        return []
    rows = (
        PlatformCompanyDay.objects.filter(
            day=day, started_on_trial=True, signup_date__range=(start.replace(day=1), end)
        )
        .annotate(month=TruncMonth("signup_date"))
        .order_by("month")
        .values("month")
        .annotate(trials=Count("*"), converted=Count("pk", filter=Q(first_paid_on__isnull=False)))
    )
    return [
        {
            "signup_month": f"{row['month']:%Y-%m}",
            "trials": row["trials"],
            "converted": row["converted"],
            "conversion_rate": rate(row["converted"], row["trials"]),
            "as_of": day,
        }
        for row in rows
    ]


def churn_report(*, start: date, end: date, granularity: str) -> ChurnReport:
    """Churn over [``start``, ``end``] in periods of ``granularity``: a few queries."""
    days = tier_days(start - timedelta(days=1), end)
    periods = periods_between(start, end, granularity)
    return ChurnReport(
        periods=[_rates(days, period, None) for period in periods],
        by_tier=[
            {"tier": tier, **_rates(days, period, tier)}
            for period in periods
            for tier in tiers_in(days)
        ],
        reasons=_reasons(start, end, periods),
        events=_events(start, end),
        trial_conversion=trial_conversion(start=start, end=end),
    )
