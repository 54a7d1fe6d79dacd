"""What the platform reports share: reading tier rows per day, rates, closing values."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Max

from apps.analytics.platform_models import ZERO, PlatformTierDay

RATE_PLACES = Decimal("0.0001")
FLOWS = (
    "new_mrr",
    "expansion_mrr",
    "reactivation_mrr",
    "contraction_mrr",
    "churned_mrr",
    "new_companies",
    "churned_companies",
    "reactivated_companies",
    "cash_collected",
    "api_calls",
    "cancellations",
    "suspensions",
    "signups",
)
STOCKS = ("mrr", "paying", "companies", "outstanding", "overdue")
FIELDS = ("day", "tier", *FLOWS, *STOCKS)

# {day: {tier: {field: value}}}
TierDays = dict[date, dict[str, dict[str, object]]]


def tier_days(start: date, end: date) -> TierDays:
    """The tier rows from ``start`` to ``end`` inclusive, in one query."""
    found: TierDays = defaultdict(dict)
    for row in PlatformTierDay.objects.filter(day__range=(start, end)).values(*FIELDS):
        found[row["day"]][row["tier"]] = row
    return found


def latest_day(on_or_before: date) -> date | None:
    """The last day rolled up, no later than ``on_or_before``."""
    return PlatformTierDay.objects.filter(day__lte=on_or_before).aggregate(day=Max("day"))["day"]


def rate(numerator: Decimal | int, denominator: Decimal | int) -> Decimal | None:
    """``numerator / denominator`` to four places (0.0525 is 5.25 %); None over zero."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATE_PLACES, ROUND_HALF_UP)


def sum_flows(days: TierDays, start: date, end: date, tier: str | None) -> dict[str, object]:
    """The flows of the days from ``start`` to ``end`` summed, for one tier or all."""
    totals: dict[str, object] = dict.fromkeys(FLOWS, 0)
    for name in FLOWS:
        if name.endswith("_mrr") or name == "cash_collected":
            totals[name] = ZERO
    day = start
    while day <= end:
        for code, row in days.get(day, {}).items():
            if tier is None or code == tier:
                for name in FLOWS:
                    totals[name] += row[name]  # type: ignore[operator]
        day += timedelta(days=1)
    return totals


def stocks_at(days: TierDays, day: date | None, tier: str | None) -> dict[str, object]:
    """The stocks at the end of ``day`` (zero when the day was not rolled up)."""
    totals: dict[str, object] = {"mrr": ZERO, "paying": 0, "companies": 0}
    totals.update(outstanding=ZERO, overdue=ZERO)
    for code, row in days.get(day, {}).items() if day else ():
        if tier is None or code == tier:
            for name in STOCKS:
                totals[name] += row[name]  # type: ignore[operator]
    return totals


def closing_day(days: TierDays, start: date, end: date) -> date | None:
    """The last day from ``start`` to ``end`` that was rolled up."""
    day = end
    while day >= start:
        if day in days:
            return day
        day -= timedelta(days=1)
    return None


def tiers_in(days: TierDays) -> list[str]:
    order = {"starter": 0, "professional": 1, "enterprise": 2}
    codes = {code for rows in days.values() for code in rows}
    return sorted(codes, key=lambda code: (order.get(code, 9), code))
