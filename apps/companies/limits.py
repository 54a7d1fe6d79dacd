"""A company's API request limits, from its plan (cached per process) and its own fields.

Resolved with the tenant on every request, so it must cost no query: the company row is
already loaded, and the plan catalogue (three rows that change rarely) is kept in memory
for a minute.
"""

import time
from dataclasses import dataclass

from apps.companies.models import Company, Plan, SubscriptionStatus, Tier

PLAN_CACHE_SECONDS = 60
_plans: dict[str, tuple[int, int]] = {}
_plans_loaded_at = 0.0


@dataclass(frozen=True, slots=True)
class RateLimits:
    hourly: int
    daily: int


def _plan_limits() -> dict[str, tuple[int, int]]:
    global _plans, _plans_loaded_at
    if not _plans or time.monotonic() - _plans_loaded_at > PLAN_CACHE_SECONDS:
        _plans = {
            code: (hourly, daily)
            for code, hourly, daily in Plan.objects.values_list(
                "code", "hourly_request_limit", "daily_api_calls"
            )
        }
        _plans_loaded_at = time.monotonic()
    return _plans


def forget_plan_limits() -> None:
    """Drop the in-process plan cache (after a plan is edited, and between tests)."""
    global _plans
    _plans = {}


def rate_limits_for(company: Company) -> RateLimits:
    """Hourly limit by tier (a trial gets Starter's) or the Enterprise override, which
    applies to each user and API key of the company, and the company's daily cap."""
    plans = _plan_limits()
    if company.subscription_status == SubscriptionStatus.TRIALING:
        hourly, starter_daily = plans[Tier.STARTER]
        return RateLimits(hourly=hourly, daily=min(company.max_api_calls_daily, starter_daily))
    hourly = plans[company.subscription_tier][0]
    if company.subscription_tier == Tier.ENTERPRISE and company.api_hourly_limit_override:
        hourly = company.api_hourly_limit_override
    return RateLimits(hourly=hourly, daily=company.max_api_calls_daily)
