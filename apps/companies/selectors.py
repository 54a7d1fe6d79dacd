"""Read-side of companies for other apps: plain data objects, never ORM rows."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from apps.companies.models import Company, Membership, Plan
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


def memberships_for_user(*, user_id: int) -> list[MembershipInfo]:
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
