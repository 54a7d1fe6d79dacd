"""API rate limits per caller, enforced as DRF's default throttle.

DRF's UserRateThrottle counts per caller; so do we, atomically (see counters/). A request
made for a company (with a user token or an API key) counts against the caller's own
hourly limit (by tier), the caller's share of the company's daily cap, for a marketer or
a client the share that marketers and clients may use together, and the company's daily
cap, so no one member or key can use up the hour or the day of the others, and no number
of marketers and clients the day of the admins. Every admitted request is metered for
the company. A signed-in user acting for no company is limited per hour on their own and
not metered; anonymous endpoints are limited per IP (apps.core.ip_limits). The state is
left on the request for RateLimitHeadersMiddleware.
If the counter store is unreachable the request is served (fail open), and the failure
is logged and reported at most once a minute.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import sentry_sdk
from django.conf import settings
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from apps.core.events import publish
from apps.core.outage_log import OUTAGE_LOG_INTERVAL, OncePerInterval
from apps.core.tenancy import Tenant, get_tenant
from apps.usage import signals
from apps.usage.counters import (
    CALLER_DAILY,
    CALLER_HOURLY,
    MEMBERS_DAILY,
    CounterStore,
    Guard,
    Hit,
    Window,
    caller_id,
    company_windows,
    counter_store,
    user_window,
)
from apps.usage.errors import RateLimited
from apps.usage.policies import RateLimitState, rate_limit_state

logger = logging.getLogger(__name__)

STORE_FAILURE_REPORTS = OncePerInterval(OUTAGE_LOG_INTERVAL)


def _report_store_failure(exc: Exception) -> None:
    if not STORE_FAILURE_REPORTS.due():
        return
    logger.error("Rate-limit counter store unreachable; serving requests unthrottled: %s", exc)
    sentry_sdk.capture_exception(exc)


def _refusal_message(window: Window, windows: Sequence[Window]) -> str:
    if window.policy == CALLER_HOURLY:
        return f"Your hourly limit of {window.limit} API requests is used up."
    company_daily = windows[-1].limit
    if window.policy == CALLER_DAILY:
        return (
            f"Your share of the company's daily API requests ({window.limit} of "
            f"{company_daily}) is used up."
        )
    if window.policy == MEMBERS_DAILY:
        return (
            f"The share of the company's daily API requests that its marketers and clients "
            f"may use together ({window.limit} of {company_daily}) is used up."
        )
    return f"The company's daily limit of {window.limit} API requests is used up."


def _refusal(hit: Hit, windows: Sequence[Window], state: RateLimitState) -> RateLimited:
    window = next(window for window in windows if window.policy == hit.refused_by)
    # The binding window is the used-up one that resets last: refused by the hour with a
    # day window used up as well, the real wait is until that day ends.
    retry_after = state.binding.reset
    return RateLimited(
        _refusal_message(window, windows),
        details={"limit": window.policy, "limit_value": window.limit, "retry_after": retry_after},
        headers={"Retry-After": str(retry_after)},
    )


# The windows a request is counted in, in the order checked, and the one store call that
# checks and counts them.
Counting = tuple[tuple[Window, ...], Callable[[CounterStore], Hit | None]]


def _company_request(tenant: Tenant, now: datetime, guard: Guard | None = None) -> Counting | None:
    if tenant.hourly_limit is None or tenant.daily_limit is None:
        return None
    windows = company_windows(
        company_id=tenant.company_id,
        caller=caller_id(user_id=tenant.user_id, api_key_id=tenant.api_key_id),
        role=tenant.role,
        hourly_limit=tenant.hourly_limit,
        daily_limit=tenant.daily_limit,
        now=now,
    )
    return windows.limits, lambda store: store.hit_company(windows, guard)


def _no_company_request(user_id: int, now: datetime) -> Counting:
    window = user_window(
        user_id=user_id, hourly_limit=settings.API_NO_COMPANY_HOURLY_LIMIT, now=now
    )
    return (window,), lambda store: store.hit_window(window)


def count_early(request: Request, tenant: Tenant, guard: Guard | None) -> bool:
    """Count ``request`` for ``tenant`` while it is being authenticated: a request made
    for a company is counted once its caller is known, before the permission checks (a
    refused one counts too). With a ``guard`` (the caller's cached sign-in still current,
    its token not revoked) the check and the counting are one atomic step, so a warm
    request checks its sign-in and its limits in one round trip.

    True: the request was checked and counted (or refused); the throttle then answers
    from that. False: nothing was counted (the guard did not hold, the store could not
    answer, or the view is not throttled by TenantRateThrottle), and the throttle counts
    it in its turn.
    """
    view = (request.parser_context or {}).get("view")
    if view is None or not any(isinstance(t, TenantRateThrottle) for t in view.get_throttles()):
        return False
    now = timezone.now()
    windows, hit = _hit(_company_request(tenant, now, guard))
    if hit is None:
        return False
    request._request.counted_early = (windows, hit, now)
    return True


def _hit(counted: Counting | None) -> tuple[tuple[Window, ...], Hit | None]:
    """The store's answer for ``counted`` (None: nothing counted, the guard failing or
    the store unreachable, reported)."""
    if counted is None:
        return (), None
    windows, hit_store = counted
    try:
        return windows, hit_store(counter_store())
    except Exception as exc:
        _report_store_failure(exc)
        return windows, None


class TenantRateThrottle(BaseThrottle):
    def allow_request(self, request: Request, view: Any) -> bool:
        early = getattr(request._request, "counted_early", None)
        if early is not None:
            windows, hit, now = early
            return self._answer(request, get_tenant(request), windows, hit, now)
        now = timezone.now()
        tenant = get_tenant(request)
        user = request.user
        if tenant is not None:
            counted = _company_request(tenant, now)
        elif user.is_authenticated and user.pk is not None:
            counted = _no_company_request(user.pk, now)
        else:
            return True  # anonymous endpoints are limited per IP
        windows, hit = _hit(counted)
        if hit is None:
            return True  # not limited, or the store unreachable: served (fail open)
        return self._answer(request, tenant, windows, hit, now)

    @staticmethod
    def _answer(
        request: Request,
        tenant: Tenant | None,
        windows: Sequence[Window],
        hit: Hit,
        now: datetime,
    ) -> bool:
        state = rate_limit_state(windows, hit.counts, now)
        request._request.rate_limit = state
        if hit.admitted:
            return True
        if hit.first_daily_refusal and tenant is not None:
            # Marked atomically by the counter store: once a day across every process,
            # even if the cap changes during the day.
            publish(
                signals.api_limit_exceeded,
                sender=TenantRateThrottle,
                company_id=tenant.company_id,
                day=timezone.localdate(now),
                daily_limit=tenant.daily_limit,
            )
        raise _refusal(hit, windows, state)
