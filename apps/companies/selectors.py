"""Read-side of companies for other apps: plain data objects, never ORM rows."""

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from apps.companies.models import (
    Company,
    Membership,
    Plan,
    PlanStripePrice,
    SubscriptionChange,
    # Also the vocabulary other apps use to reason about a company's standing.
    SubscriptionStatus,
)
from apps.core.auth_versions import auth_version_key, auth_version_new
from apps.core.read_versions import cached_under_versions
from apps.core.roles import Role


@dataclass(frozen=True, slots=True)
class MembershipInfo:
    company_id: int
    company_name: str
    role: str
    subscription_tier: str
    subscription_status: str
    is_active: bool


@dataclass(frozen=True, slots=True)
class CompanyLimits:
    company_id: int
    tier: str
    status: str
    is_active: bool
    max_plots: int
    max_agents: int
    max_api_calls_daily: int
    hourly_request_limit: int


@dataclass(frozen=True, slots=True)
class PlanInfo:
    code: str
    name: str
    monthly_fee: Decimal
    included_plots: int
    included_agents: int
    daily_api_calls: int
    hourly_request_limit: int
    included_api_calls: int


MEMBERSHIPS_TIMEOUT = 300


def memberships_for_user(*, user_id: int) -> list[MembershipInfo]:
    """The user's memberships, oldest first; cached until any of them, or their companies,
    change (apps.core.auth_versions)."""
    key = f"auth:memberships:{user_id}"
    found = cache.get_many([key, auth_version_key(user_id)])
    version = found.get(auth_version_key(user_id)) or auth_version_new(user_id)
    cached = found.get(key)
    if cached is not None and version is not None and cached[0] == version:
        return cached[1]
    memberships = _memberships_for_user(user_id)
    if version is not None:
        cache.set(key, (version, memberships), MEMBERSHIPS_TIMEOUT)
    return memberships


def _memberships_for_user(user_id: int) -> list[MembershipInfo]:
    memberships = (
        Membership.objects.filter(user_id=user_id)
        .select_related("company")
        .order_by("created_at", "id")
    )
    return [
        MembershipInfo(
            company_id=membership.company_id,
            company_name=membership.company.name,
            role=membership.role,
            subscription_tier=membership.company.subscription_tier,
            subscription_status=membership.company.subscription_status,
            is_active=membership.is_active,
        )
        for membership in memberships
    ]


def _plan_info(plan: Plan) -> PlanInfo:
    return PlanInfo(
        code=plan.code,
        name=plan.name,
        monthly_fee=plan.monthly_fee,
        included_plots=plan.included_plots,
        included_agents=plan.included_agents,
        daily_api_calls=plan.daily_api_calls,
        hourly_request_limit=plan.hourly_request_limit,
        included_api_calls=plan.included_api_calls,
    )


def plans_public() -> list[PlanInfo]:
    return [_plan_info(plan) for plan in Plan.objects.filter(is_public=True)]


def company_limits(*, company_id: int, at: datetime | None = None) -> CompanyLimits:
    company = Company.objects.get(pk=company_id)
    plan = Plan.objects.get(code=company.subscription_tier)
    return CompanyLimits(
        company_id=company.pk,
        tier=company.subscription_tier,
        status=company.subscription_status,
        is_active=company.is_subscription_active(at),
        max_plots=company.max_plots,
        max_agents=company.max_agents,
        max_api_calls_daily=company.max_api_calls_daily,
        hourly_request_limit=plan.hourly_request_limit,
    )


# A read scope (apps.core.read_versions) covering the company row itself: any write to it
# bumps it (receivers.py).
COMPANY_ROW = "company"


def company_max_plots(*, company_id: int) -> int:
    """The company's plot limit, from the cache until the company row changes."""
    return cached_under_versions(
        "max-plots",
        company_id,
        [COMPANY_ROW],
        lambda: Company.objects.filter(pk=company_id).values_list("max_plots", flat=True).get(),
    )


def company_id_for_slug(*, slug: str) -> int | None:
    return Company.objects.filter(slug=slug).values_list("pk", flat=True).first()


def company_name(*, company_id: int) -> str | None:
    return Company.objects.filter(pk=company_id).values_list("name", flat=True).first()


def company_names_for(*, company_ids: Iterable[int]) -> dict[int, str]:
    """Names of many companies in one query."""
    return dict(Company.objects.filter(pk__in=set(company_ids)).values_list("pk", "name"))


def admin_user_ids(*, company_id: int) -> list[int]:
    """The company's active admins (people, not API keys)."""
    return list(
        Membership.objects.filter(
            company_id=company_id, role=Role.COMPANY_ADMIN, is_active=True
        ).values_list("user_id", flat=True)
    )


def plans_by_code() -> dict[str, PlanInfo]:
    """Every plan, public or not, by its code."""
    return {plan.code: _plan_info(plan) for plan in Plan.objects.all()}


# --- for billing ------------------------------------------------------------------------------

# Statuses in which a day of the subscription is paid for: a trial is free, and a suspended
# or cancelled company is not charged for the days it cannot use.
BILLABLE_STATUSES = frozenset({SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE})


@dataclass(frozen=True, slots=True)
class BillingAccount:
    company_id: int
    name: str
    billing_email: str
    address: str
    tier: str
    status: str
    pays_by_card: bool
    suspension_reason: str
    trial_ends_at: datetime | None
    stripe_customer_id: str
    stripe_subscription_id: str
    current_period_end: datetime | None
    cancel_at_period_end: bool


def _billing_account(company: Company) -> BillingAccount:
    return BillingAccount(
        company_id=company.pk,
        name=company.name,
        billing_email=company.billing_email,
        address=company.address,
        tier=company.subscription_tier,
        status=company.subscription_status,
        pays_by_card=bool(company.stripe_subscription_id),
        suspension_reason=company.suspension_reason,
        trial_ends_at=company.trial_ends_at,
        stripe_customer_id=company.stripe_customer_id,
        stripe_subscription_id=company.stripe_subscription_id,
        current_period_end=company.current_period_end,
        cancel_at_period_end=company.cancel_at_period_end,
    )


def billing_account(*, company_id: int) -> BillingAccount:
    return _billing_account(Company.objects.get(pk=company_id))


def billing_accounts_for(*, company_ids: Iterable[int]) -> dict[int, BillingAccount]:
    companies = Company.objects.filter(pk__in=set(company_ids))
    return {company.pk: _billing_account(company) for company in companies}


def offline_payers_batch(
    *, after_id: int, limit: int, created_before: datetime, company_id: int | None = None
) -> list[BillingAccount]:
    """The next ``limit`` companies (by id, after ``after_id``) that pay us offline (no
    card subscription), created before ``created_before``: the monthly run's input."""
    companies = Company.objects.filter(
        pk__gt=after_id, stripe_subscription_id="", created_at__lt=created_before
    ).order_by("pk")
    if company_id is not None:
        companies = companies.filter(pk=company_id)
    return [_billing_account(company) for company in companies[:limit]]


@dataclass(frozen=True, slots=True)
class TierDays:
    tier: str
    days: int


def billable_tier_days(
    *, company_ids: Iterable[int], start: date, end: date
) -> dict[int, list[TierDays]]:
    """For each company, the days from ``start`` to ``end`` (inclusive, company-local
    dates) it spent on each tier in a billable status, in the order the tiers were held.

    A day counts at the tier and status in effect at its end, so a change during a day
    applies to the whole of it. Companies without recorded history count as they are now.
    """
    ids = set(company_ids)
    tz = timezone.get_current_timezone()
    period_end = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz)
    history: dict[int, list[tuple[datetime, str, str]]] = {company_id: [] for company_id in ids}
    for company_id, changed_at, tier, status in SubscriptionChange.objects.filter(
        company_id__in=ids, changed_at__lt=period_end
    ).values_list("company_id", "changed_at", "tier", "status"):
        history[company_id].append((changed_at, tier, status))
    current = {
        pk: (created_at, tier, status)
        for pk, created_at, tier, status in Company.objects.filter(pk__in=ids).values_list(
            "pk", "created_at", "subscription_tier", "subscription_status"
        )
    }
    day_ends = _day_ends(start, end, tz)
    result = {}
    for company_id in ids:
        changes = sorted(history[company_id]) or (
            [current[company_id]] if company_id in current else []
        )
        result[company_id] = _days_per_tier(changes, day_ends)
    return result


def _day_ends(start: date, end: date, tz: Any) -> list[datetime]:
    """The end of each day from ``start`` to ``end``: the first moment of the next."""
    return [
        timezone.make_aware(datetime.combine(start + timedelta(days=n + 1), time.min), tz)
        for n in range((end - start).days + 1)
    ]


def _days_per_tier(
    changes: list[tuple[datetime, str, str]], day_ends: list[datetime]
) -> list[TierDays]:
    # A change is in effect for the days that end after it and no later than the next
    # change: counted per change rather than per day, as the run does this for thousands
    # of companies.
    days: dict[str, int] = {}
    for n, (changed_at, tier, status) in enumerate(changes):
        first = bisect_right(day_ends, changed_at)
        last = bisect_right(day_ends, changes[n + 1][0]) if n + 1 < len(changes) else len(day_ends)
        if status in BILLABLE_STATUSES and last > first:
            days[tier] = days.get(tier, 0) + last - first
    return [TierDays(tier=tier, days=count) for tier, count in days.items()]


# --- for the payments gateway -------------------------------------------------------------------


def stripe_price_for_tier(*, tier: str) -> str | None:
    """The gateway price a tier is billed on in this environment (STRIPE_ENVIRONMENT)."""
    return (
        PlanStripePrice.objects.filter(plan__code=tier, environment=settings.STRIPE_ENVIRONMENT)
        .values_list("price_id", flat=True)
        .first()
    )


def tier_for_stripe_price(*, price_id: str) -> str | None:
    return (
        PlanStripePrice.objects.filter(price_id=price_id)
        .values_list("plan__code", flat=True)
        .first()
    )


def company_id_for_gateway_customer(*, customer_id: str) -> int | None:
    if not customer_id:
        return None
    return (
        Company.objects.filter(stripe_customer_id=customer_id).values_list("pk", flat=True).first()
    )


def gateway_customer_of(*, company_id: int) -> str | None:
    """The company's customer id at the gateway ("" before it has one); None when there
    is no such company."""
    return (
        Company.objects.filter(pk=company_id).values_list("stripe_customer_id", flat=True).first()
    )


def companies_with_card_subscriptions(*, company_id: int | None = None) -> list[BillingAccount]:
    companies = Company.objects.exclude(stripe_subscription_id="").order_by("pk")
    if company_id is not None:
        companies = companies.filter(pk=company_id)
    return [_billing_account(company) for company in companies]


# --- for scheduled notifications --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CompanyDeadline:
    """A company and the moment something of its ends (a trial, paid access)."""

    company_id: int
    name: str
    ends_at: datetime


@dataclass(frozen=True, slots=True)
class CompanyBrief:
    company_id: int
    name: str


def _with_admin() -> Exists:
    return Exists(
        Membership.objects.filter(
            company_id=OuterRef("pk"), role=Role.COMPANY_ADMIN, is_active=True
        )
    )


def trials_ending_between(
    *, start: datetime, end: datetime, after_id: int = 0, limit: int = 500
) -> list[CompanyDeadline]:
    """The next ``limit`` companies (by id, after ``after_id``) still on trial whose trial
    ends in [``start``, ``end``), with at least one active admin."""
    companies = (
        Company.objects.filter(
            _with_admin(),
            pk__gt=after_id,
            subscription_status=SubscriptionStatus.TRIALING,
            trial_ends_at__gte=start,
            trial_ends_at__lt=end,
        )
        .order_by("pk")
        .values_list("pk", "name", "trial_ends_at")[:limit]
    )
    return [CompanyDeadline(pk, name, ends_at) for pk, name, ends_at in companies]


def paid_access_ending_between(
    *, start: datetime, end: datetime, after_id: int = 0, limit: int = 500
) -> list[CompanyDeadline]:
    """The next ``limit`` paying companies (by id, after ``after_id``) whose paid access
    ends in [``start``, ``end``) and will not renew by itself (``subscription_ends_at``:
    a card subscription cancelled at its period's end), with at least one active admin."""
    companies = (
        Company.objects.filter(
            _with_admin(),
            pk__gt=after_id,
            subscription_status__in=BILLABLE_STATUSES,
            subscription_ends_at__gte=start,
            subscription_ends_at__lt=end,
        )
        .order_by("pk")
        .values_list("pk", "name", "subscription_ends_at")[:limit]
    )
    return [CompanyDeadline(pk, name, ends_at) for pk, name, ends_at in companies]


def companies_in_service_batch(
    *, since: datetime, after_id: int = 0, limit: int = 500
) -> list[CompanyBrief]:
    """The next ``limit`` companies (by id, after ``after_id``) that are active, or on a
    trial that had not ended by ``since``, with at least one active admin."""
    companies = (
        Company.objects.filter(_with_admin(), pk__gt=after_id)
        .filter(
            Q(subscription_status=SubscriptionStatus.ACTIVE)
            | Q(subscription_status=SubscriptionStatus.TRIALING, trial_ends_at__gt=since)
        )
        .order_by("pk")
        .values_list("pk", "name")[:limit]
    )
    return [CompanyBrief(pk, name) for pk, name in companies]


def admin_user_ids_for(*, company_ids: Iterable[int]) -> dict[int, list[int]]:
    """``admin_user_ids`` for many companies in one query (companies without any: [])."""
    ids = set(company_ids)
    admins: dict[int, list[int]] = {company_id: [] for company_id in ids}
    for company_id, user_id in (
        Membership.objects.filter(company_id__in=ids, role=Role.COMPANY_ADMIN, is_active=True)
        .order_by("company_id", "user_id")
        .values_list("company_id", "user_id")
    ):
        admins[company_id].append(user_id)
    return admins


def active_member_user_ids(*, company_id: int, user_ids: Iterable[int]) -> set[int]:
    """Which of ``user_ids`` are active members of the company (any role), in one query."""
    ids = set(user_ids)
    if not ids:
        return set()
    return set(
        Membership.objects.filter(
            company_id=company_id, user_id__in=ids, is_active=True
        ).values_list("user_id", flat=True)
    )


# --- for platform analytics -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SubscriptionDayState:
    """A company's subscription at the end of a day and of the day before (company-local
    days), from its recorded history: what platform analytics rolls up each night."""

    company_id: int
    signup_date: date
    started_on_trial: bool
    tier: str
    status: str
    previous_tier: str | None  # None: the company did not exist at the end of the day before
    previous_status: str | None
    # The first day that ended in a paid status (active or past due), up to this day.
    first_paid_on: date | None
    # Why it is suspended or cancelled, as recorded now: known for the current suspension
    # and for a cancellation; "" for a past suspension since lifted.
    reason: str
    max_plots: int
    max_api_calls_daily: int


def subscription_states_on(
    *, day: date, company_ids: Iterable[int] | None = None
) -> list[SubscriptionDayState]:
    """Every company (or those given) that existed at the end of ``day``, with its tier
    and status then and at the end of the day before: two queries, whatever the count.

    A change during a day applies to the whole of it (as billing counts days); a company
    without recorded history counts as it is now from its creation.
    """
    tz = timezone.get_current_timezone()
    day_end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min), tz)
    day_start = day_end - timedelta(days=1)
    companies = Company.objects.filter(created_at__lt=day_end).order_by("pk")
    history = SubscriptionChange.objects.filter(changed_at__lt=day_end)
    if company_ids is not None:
        ids = set(company_ids)
        companies = companies.filter(pk__in=ids)
        history = history.filter(company_id__in=ids)
    changes: dict[int, list[tuple[datetime, str, str]]] = {}
    for company_id, changed_at, tier, status in history.order_by(
        "company_id", "changed_at", "id"
    ).values_list("company_id", "changed_at", "tier", "status"):
        changes.setdefault(company_id, []).append((changed_at, tier, status))
    states = []
    for row in companies.values_list(
        "pk",
        "created_at",
        "subscription_tier",
        "subscription_status",
        "suspension_reason",
        "cancellation_reason",
        "max_plots",
        "max_api_calls_daily",
    ):
        pk, created_at, tier_now, status_now, suspended_for, cancelled_for = row[:6]
        own = changes.get(pk) or [(created_at, tier_now, status_now)]
        states.append(
            _day_state(row, own, day_start, tz, current=(status_now, suspended_for, cancelled_for))
        )
    return states


def _day_state(
    row: tuple[Any, ...],
    changes: list[tuple[datetime, str, str]],
    day_start: datetime,
    tz: Any,
    current: tuple[str, str, str],
) -> SubscriptionDayState:
    pk, created_at = row[0], row[1]
    _, tier, status = changes[-1]
    before = [change for change in changes if change[0] < day_start]
    previous = before[-1] if before and created_at < day_start else None
    status_now, suspended_for, cancelled_for = current
    reason = ""
    if status == SubscriptionStatus.CANCELLED:
        reason = cancelled_for
    elif status == SubscriptionStatus.SUSPENDED == status_now:
        reason = suspended_for
    return SubscriptionDayState(
        company_id=pk,
        signup_date=timezone.localtime(created_at, tz).date(),
        started_on_trial=changes[0][2] == SubscriptionStatus.TRIALING,
        tier=tier,
        status=status,
        previous_tier=previous[1] if previous else None,
        previous_status=previous[2] if previous else None,
        first_paid_on=_first_paid_day(changes, tz),
        reason=reason,
        max_plots=row[6],
        max_api_calls_daily=row[7],
    )


def _first_paid_day(changes: list[tuple[datetime, str, str]], tz: Any) -> date | None:
    # A paid status counts from the day it was set unless a later change the same day
    # replaced it (the day ends in the later one).
    days = [timezone.localtime(changed_at, tz).date() for changed_at, _, _ in changes]
    for n, (_, _, status) in enumerate(changes):
        if status in BILLABLE_STATUSES and (n + 1 == len(changes) or days[n + 1] > days[n]):
            return days[n]
    return None


@dataclass(frozen=True, slots=True)
class CompanySeats:
    """A company's people and limits, as analytics' daily usage figures keep them."""

    company_id: int
    members: int  # active memberships, any role
    marketers: int  # active marketer memberships
    max_plots: int
    max_agents: int
    max_api_calls_daily: int


def company_seats_before(
    *, before: datetime, company_ids: Iterable[int] | None = None
) -> list[CompanySeats]:
    """Every company created before ``before`` (or those given) with its active members and
    marketers who had joined by then, and its limits now: two queries in all."""
    companies = Company.objects.filter(created_at__lt=before)
    memberships = Membership.objects.filter(is_active=True, created_at__lt=before)
    if company_ids is not None:
        ids = set(company_ids)
        companies = companies.filter(pk__in=ids)
        memberships = memberships.filter(company_id__in=ids)
    counts = {
        company_id: (members, marketers)
        for company_id, members, marketers in memberships.order_by()
        .values("company_id")
        .annotate(members=Count("*"), marketers=Count("pk", filter=Q(role=Role.MARKETER)))
        .values_list("company_id", "members", "marketers")
    }
    return [
        CompanySeats(
            company_id=pk,
            members=counts.get(pk, (0, 0))[0],
            marketers=counts.get(pk, (0, 0))[1],
            max_plots=max_plots,
            max_agents=max_agents,
            max_api_calls_daily=max_api_calls_daily,
        )
        for pk, max_plots, max_agents, max_api_calls_daily in companies.order_by().values_list(
            "pk", "max_plots", "max_agents", "max_api_calls_daily"
        )
    ]
