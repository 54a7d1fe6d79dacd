"""Usage across tenants: API calls per period and tier, the heaviest callers, and the
companies near or over a limit (upsell candidates)."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import F, Max, Q, Sum

from apps.analytics.platform.periods import periods_between
from apps.analytics.platform.reports.common import (
    latest_day,
    rate,
    sum_flows,
    tier_days,
    tiers_in,
)
from apps.analytics.platform_models import PlatformCompanyDay
from apps.companies.selectors import SubscriptionStatus, company_names_for

# A company at or past this share of a limit is near it (4/5: 80 %).
NEAR_NUMERATOR, NEAR_DENOMINATOR = 4, 5


@dataclass(frozen=True, slots=True)
class UsageReport:
    periods: list[dict[str, Any]]
    heaviest: list[dict[str, Any]]
    limits: list[dict[str, Any]]


def _margin(used: str, allowed: str) -> Any:
    # used / allowed >= 4/5 exactly, in integers: used * 5 - allowed * 4 >= 0.
    return F(used) * NEAR_DENOMINATOR - F(allowed) * NEAR_NUMERATOR


def _near(used: str, allowed: str) -> Q:
    return Q(**{f"{allowed}__gt": 0, f"near_{used}__gte": 0})


def _limit_row(kind: str, row: dict[str, Any], used: int, allowed: int) -> dict[str, Any]:
    return {
        "company_id": row["company_id"],
        "limit": kind,
        "used": used,
        "allowed": allowed,
        "ratio": rate(used, allowed),
        "over": used > allowed,
    }


def _limits(start: date, end: date, last: date) -> list[dict[str, Any]]:
    serving = ~Q(status=SubscriptionStatus.CANCELLED)
    found = []
    for row in (
        PlatformCompanyDay.objects.filter(serving, day=last)
        .alias(
            near_api_calls_month=_margin("api_calls_month", "api_monthly_included"),
            near_plots=_margin("plots", "plots_included"),
        )
        .filter(_near("api_calls_month", "api_monthly_included") | _near("plots", "plots_included"))
        .values(
            "company_id",
            "tier",
            "status",
            "api_calls_month",
            "api_monthly_included",
            "plots",
            "plots_included",
        )
    ):
        if row["api_monthly_included"] and (
            row["api_calls_month"] * NEAR_DENOMINATOR
            >= row["api_monthly_included"] * NEAR_NUMERATOR
        ):
            found.append(
                _limit_row(
                    "api_calls_month", row, row["api_calls_month"], row["api_monthly_included"]
                )
            )
        if row["plots_included"] and (
            row["plots"] * NEAR_DENOMINATOR >= row["plots_included"] * NEAR_NUMERATOR
        ):
            found.append(_limit_row("plots", row, row["plots"], row["plots_included"]))
    # A day's calls against the daily cap: the busiest day of the range.
    for row in (
        PlatformCompanyDay.objects.filter(serving, day__range=(start, end))
        .alias(near_api_calls=_margin("api_calls", "api_daily_cap"))
        .filter(_near("api_calls", "api_daily_cap"))
        .order_by()
        .values("company_id")
        .annotate(used=Max("api_calls"), allowed=Max("api_daily_cap"))
    ):
        found.append(_limit_row("api_calls_daily", row, row["used"], row["allowed"]))
    return found


def _heaviest(start: date, end: date, limit: int) -> list[dict[str, Any]]:
    rows = (
        PlatformCompanyDay.objects.filter(day__range=(start, end))
        .order_by()
        .values("company_id")
        .annotate(
            calls=Sum("api_calls"),
            peak=Max("api_calls"),
            cap=Max("api_daily_cap"),
        )
        .filter(calls__gt=0)
        .order_by("-calls", "company_id")[:limit]
    )
    return [
        {
            "company_id": row["company_id"],
            "api_calls": row["calls"],
            "peak_day_calls": row["peak"],
            "api_daily_cap": row["cap"],
        }
        for row in rows
    ]


def usage_report(*, start: date, end: date, granularity: str, limit: int) -> UsageReport:
    """API calls per period and tier, the ``limit`` companies making the most calls in
    the range, and every company not cancelled that is at 80 % or more of a limit: its
    plots or month-to-date calls on the last day rolled up, or its calls on any day of
    the range against the daily cap."""
    days = tier_days(start, end)
    periods = []
    for period in periods_between(start, end, granularity):
        for tier in tiers_in(days):
            flows = sum_flows(days, period.start, period.end, tier)
            periods.append(
                {
                    "period": period.label,
                    "start": period.start,
                    "end": period.end,
                    "tier": tier,
                    "api_calls": flows["api_calls"],
                }
            )
    heaviest = _heaviest(start, end, limit)
    last = latest_day(end)
    limits = _limits(start, end, last) if last else []
    ids = {row["company_id"] for row in heaviest} | {row["company_id"] for row in limits}
    names = company_names_for(company_ids=ids)
    # Tier and status as of the last day rolled up (a company may have changed tier).
    now = {
        row["company_id"]: row
        for row in PlatformCompanyDay.objects.filter(day=last, company_id__in=ids).values(
            "company_id", "tier", "status"
        )
    }
    for row in heaviest + limits:
        row["company_name"] = names.get(row["company_id"], "")
        row.update(tier=now.get(row["company_id"], {}).get("tier", ""))
        row.update(status=now.get(row["company_id"], {}).get("status", ""))
    limits.sort(key=lambda row: (not row["over"], -(row["ratio"] or 0), row["company_id"]))
    return UsageReport(periods=periods, heaviest=heaviest, limits=limits)
