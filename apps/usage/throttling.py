"""Per-company rate limits for the API, enforced as a DRF throttle.

Every request made for a company (with a user token or an API key) counts against the
company's hourly limit (by tier) and daily cap, atomically (see counters.py). Admitted
requests are metered. The state is left on the request for RateLimitHeadersMiddleware.
If the counter store is unreachable the request is served (fail open), and the failure
is logged and reported at most once a minute.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sentry_sdk
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from apps.core.events import publish
from apps.core.tenancy import get_tenant
from apps.usage import signals
from apps.usage.counters import Hit, counter_store, window_for
from apps.usage.errors import RateLimited

logger = logging.getLogger(__name__)

FAILURE_REPORT_INTERVAL = 60.0
_last_failure_report = 0.0
_failure_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class RateLimitState:
    hourly_limit: int
    hourly_remaining: int
    hourly_reset: int  # seconds until the hour's window ends
    daily_limit: int
    daily_remaining: int
    daily_reset: int
    # The window closer to running out, for the X-RateLimit-* headers.
    limit: int
    remaining: int
    reset_at: datetime


def _report_store_failure(exc: Exception) -> None:
    global _last_failure_report
    with _failure_lock:
        now = time.monotonic()
        if _last_failure_report and now - _last_failure_report < FAILURE_REPORT_INTERVAL:
            return
        _last_failure_report = now
    logger.error("Rate-limit counter store unreachable; serving requests unthrottled: %s", exc)
    sentry_sdk.capture_exception(exc)


def _seconds_until(moment: datetime, now: datetime) -> int:
    return max(1, math.ceil((moment - now).total_seconds()))


def _state(
    hit: Hit, hourly_limit: int, daily_limit: int, window: Any, now: datetime
) -> RateLimitState:
    hourly_reset = _seconds_until(window.hour_resets_at, now)
    daily_reset = _seconds_until(window.day_resets_at, now)
    hourly_remaining = max(0, hourly_limit - hit.hourly_count)
    daily_remaining = max(0, daily_limit - hit.daily_count)
    # The day is the binding window when it has fewer left, or none left at all (then
    # waiting for the next hour would not help).
    tighter_is_daily = daily_remaining < hourly_remaining or daily_remaining == 0
    return RateLimitState(
        hourly_limit=hourly_limit,
        hourly_remaining=hourly_remaining,
        hourly_reset=hourly_reset,
        daily_limit=daily_limit,
        daily_remaining=daily_remaining,
        daily_reset=daily_reset,
        limit=daily_limit if tighter_is_daily else hourly_limit,
        remaining=daily_remaining if tighter_is_daily else hourly_remaining,
        reset_at=window.day_resets_at if tighter_is_daily else window.hour_resets_at,
    )


class TenantRateThrottle(BaseThrottle):
    def allow_request(self, request: Request, view: Any) -> bool:
        tenant = get_tenant(request)
        if tenant is None or tenant.hourly_limit is None or tenant.daily_limit is None:
            return True  # anonymous endpoints are limited per IP (django-ratelimit)
        now = timezone.now()
        window = window_for(tenant.company_id, now)
        try:
            hit = counter_store().hit(window, tenant.hourly_limit, tenant.daily_limit)
        except Exception as exc:
            _report_store_failure(exc)
            return True
        state = _state(hit, tenant.hourly_limit, tenant.daily_limit, window, now)
        request._request.rate_limit = state
        if hit.admitted:
            return True
        if hit.first_daily_refusal:
            # Marked atomically by the counter store: once a day across every process,
            # even if the cap changes during the day.
            publish(
                signals.api_limit_exceeded,
                sender=TenantRateThrottle,
                company_id=tenant.company_id,
                day=timezone.localdate(now),
                daily_limit=tenant.daily_limit,
            )
        limit_value = tenant.daily_limit if hit.refused_by == "daily" else tenant.hourly_limit
        # Refused by the hour with the day used up as well, the real wait is until midnight.
        day_used_up = hit.daily_count >= tenant.daily_limit
        retry_after = state.daily_reset if day_used_up else state.hourly_reset
        raise RateLimited(
            f"The company's {hit.refused_by} limit of {limit_value} API requests is used up.",
            details={
                "limit": hit.refused_by,
                "limit_value": limit_value,
                "retry_after": retry_after,
            },
            headers={"Retry-After": str(retry_after)},
        )
