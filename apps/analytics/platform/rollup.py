"""The daily platform roll-up: every company's subscription, MRR movement, money and usage
at the end of a day, and the same summed per tier.

Set-based: a handful of queries for all companies, whatever their number. Rebuilding a
day replaces its rows, and a day is computed from the recorded history alone (never from
the day before's rows), so any day can be rebuilt on its own, in any order.
"""

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.analytics.platform_models import (
    ZERO,
    Movement,
    PlatformCompanyDay,
    PlatformTierDay,
)
from apps.analytics.rollups.registry import register
from apps.billing.selectors import receivables_at
from apps.companies.selectors import (
    BILLABLE_STATUSES,
    PlanInfo,
    SubscriptionDayState,
    SubscriptionStatus,
    plans_by_code,
    subscription_states_on,
)
from apps.payments.selectors import cash_collected_by_company
from apps.usage.selectors import api_calls_for_companies, plots_count_for_companies

BATCH_SIZE = 2000


def _day_end(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def monthly_recurring_revenue(*, tier: str | None, status: str | None, plans: dict) -> Decimal:
    """A company's MRR: its plan's monthly fee (VAT excluded) while it pays, else 0."""
    if tier is None or status not in BILLABLE_STATUSES:
        return ZERO
    plan: PlanInfo | None = plans.get(tier)
    return plan.monthly_fee if plan else ZERO


def _movement(state: SubscriptionDayState, mrr: Decimal, before: Decimal, day: date) -> str:
    if before == mrr:
        return Movement.NONE
    if before == ZERO:
        return Movement.NEW if state.first_paid_on == day else Movement.REACTIVATION
    if mrr == ZERO:
        return Movement.CHURNED
    return Movement.EXPANSION if mrr > before else Movement.CONTRACTION


@register("platform")
def build_platform_day(day: date, company_ids: Sequence[int] | None = None) -> int:
    """Replace ``day``'s platform rows (of the companies given, or all) and the tier rows
    of the day (always recomputed from all of the day's company rows). Returns the number
    of company rows written."""
    states = subscription_states_on(day=day, company_ids=company_ids)
    ids = [state.company_id for state in states]
    plans = plans_by_code()
    end = _day_end(day)
    cash = cash_collected_by_company(start=end - timedelta(days=1), end=end)
    owed = receivables_at(at=end)
    calls = api_calls_for_companies(company_ids=ids, start=day, end=day)
    month_calls = api_calls_for_companies(company_ids=ids, start=day.replace(day=1), end=day)
    plots = plots_count_for_companies(company_ids=ids, at=end)
    rows = []
    for state in states:
        mrr = monthly_recurring_revenue(tier=state.tier, status=state.status, plans=plans)
        before = monthly_recurring_revenue(
            tier=state.previous_tier, status=state.previous_status, plans=plans
        )
        movement = _movement(state, mrr, before, day)
        plan = plans.get(state.tier)
        receivable = owed.get(state.company_id)
        rows.append(
            PlatformCompanyDay(
                day=day,
                company_id=state.company_id,
                tier=state.tier,
                status=state.status,
                previous_status=state.previous_status or "",
                status_changed=state.status != state.previous_status,
                signup_date=state.signup_date,
                started_on_trial=state.started_on_trial,
                first_paid_on=state.first_paid_on,
                reason=state.reason,
                mrr=mrr,
                previous_mrr=before,
                movement=movement,
                # Churned MRR belongs to the tier that was left; the rest to the tier held.
                movement_tier=(
                    (state.previous_tier or state.tier)
                    if movement == Movement.CHURNED
                    else state.tier
                )
                if movement
                else "",
                cash_collected=cash.get(state.company_id, ZERO),
                outstanding=receivable.outstanding if receivable else ZERO,
                overdue=receivable.overdue if receivable else ZERO,
                api_calls=calls.get(state.company_id, 0),
                api_calls_month=month_calls.get(state.company_id, 0),
                api_daily_cap=state.max_api_calls_daily,
                api_monthly_included=plan.included_api_calls if plan else 0,
                plots=plots.get(state.company_id, 0),
                plots_included=state.max_plots,
            )
        )
    with transaction.atomic():
        stale = PlatformCompanyDay.objects.filter(day=day)
        if company_ids is not None:
            stale = stale.filter(company_id__in=set(company_ids))
        stale.delete()
        PlatformCompanyDay.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        if company_ids is None:  # the day's rows are all here: no need to read them back
            summed = ([getattr(row, name) for name in TIER_INPUTS] for row in rows)
        else:
            summed = (
                PlatformCompanyDay.objects.filter(day=day)
                .values_list(*TIER_INPUTS)
                .iterator(chunk_size=BATCH_SIZE)
            )
        _rebuild_tiers(day, plans, summed)
    return len(rows)


TIER_INPUTS = (
    "tier",
    "status",
    "status_changed",
    "signup_date",
    "mrr",
    "previous_mrr",
    "movement",
    "movement_tier",
    "cash_collected",
    "outstanding",
    "overdue",
    "api_calls",
)


def _rebuild_tiers(day: date, plans: dict, rows: Iterable[Sequence[Any]]) -> None:
    tiers: dict[str, PlatformTierDay] = {
        code: PlatformTierDay(day=day, tier=code) for code in plans
    }

    def tier(code: str) -> PlatformTierDay:
        if code not in tiers:
            tiers[code] = PlatformTierDay(day=day, tier=code)
        return tiers[code]

    for (
        code,
        status,
        changed,
        signup_date,
        mrr,
        before,
        movement,
        movement_tier,
        cash,
        outstanding,
        overdue,
        calls,
    ) in rows:
        row = tier(code)
        row.companies += 1
        if status in STATUS_COUNTERS:
            setattr(row, STATUS_COUNTERS[status], getattr(row, STATUS_COUNTERS[status]) + 1)
        row.paying += mrr > ZERO
        row.signups += signup_date == day
        row.cancellations += changed and status == SubscriptionStatus.CANCELLED
        row.suspensions += changed and status == SubscriptionStatus.SUSPENDED
        row.mrr += mrr
        row.cash_collected += cash
        row.outstanding += outstanding
        row.overdue += overdue
        row.api_calls += calls
        if movement:
            _add_movement(tier(movement_tier), movement, mrr - before)
    PlatformTierDay.objects.filter(day=day).delete()
    PlatformTierDay.objects.bulk_create(tiers.values())


STATUS_COUNTERS = {
    SubscriptionStatus.TRIALING: "trialing",
    SubscriptionStatus.ACTIVE: "active",
    SubscriptionStatus.PAST_DUE: "past_due",
    SubscriptionStatus.SUSPENDED: "suspended",
    SubscriptionStatus.CANCELLED: "cancelled",
}


def _add_movement(row: PlatformTierDay, movement: str, delta: Decimal) -> None:
    if movement == Movement.NEW:
        row.new_mrr += delta
        row.new_companies += 1
    elif movement == Movement.REACTIVATION:
        row.reactivation_mrr += delta
        row.reactivated_companies += 1
    elif movement == Movement.EXPANSION:
        row.expansion_mrr += delta
    elif movement == Movement.CONTRACTION:
        row.contraction_mrr -= delta
    elif movement == Movement.CHURNED:
        row.churned_mrr -= delta
        row.churned_companies += 1


def build_platform_range(
    *, start: date, end: date, company_ids: Sequence[int] | None = None
) -> int:
    """Build every day from ``start`` to ``end`` inclusive, oldest first (what the nightly
    task does for one day through the registry); returns the company rows written."""
    written = 0
    day = start
    while day <= end:
        written += build_platform_day(day, company_ids)
        day += timedelta(days=1)
    return written
