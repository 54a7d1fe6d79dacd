"""Where a caller stands against each rate-limit policy after a request, and which binds.

The throttle builds it; RateLimitHeadersMiddleware writes it out as headers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from apps.usage.counters import Window


@dataclass(frozen=True, slots=True)
class PolicyState:
    name: str  # caller-hourly, caller-daily, members-daily or company-daily
    limit: int
    remaining: int
    window_seconds: int
    reset: int  # seconds until the window ends (at least 1)
    resets_at: datetime


@dataclass(frozen=True, slots=True)
class RateLimitState:
    policies: tuple[PolicyState, ...]

    @property
    def binding(self) -> PolicyState:
        """The window that limits the caller now, for X-RateLimit-* and Retry-After.

        A window with nothing left wins (of several, the one that resets last: waiting
        for an earlier one would not help); otherwise the one with least left.
        """
        used_up = [policy for policy in self.policies if policy.remaining == 0]
        if used_up:
            return max(used_up, key=lambda policy: policy.resets_at)
        return min(self.policies, key=lambda policy: policy.remaining)

    def policy(self, name: str) -> PolicyState:
        return next(policy for policy in self.policies if policy.name == name)


def _seconds_until(moment: datetime, now: datetime) -> int:
    return max(1, math.ceil((moment - now).total_seconds()))


def rate_limit_state(
    windows: Sequence[Window], counts: Sequence[int], now: datetime
) -> RateLimitState:
    """The state of each window given its count (as the counter store returned it)."""
    return RateLimitState(
        policies=tuple(
            PolicyState(
                name=window.policy,
                limit=window.limit,
                remaining=max(0, window.limit - count),
                window_seconds=window.seconds,
                reset=_seconds_until(window.resets_at, now),
                resets_at=window.resets_at,
            )
            for window, count in zip(windows, counts, strict=True)
        )
    )
