"""The embedded mode's counter store: the local-memory cache, one process, one lock.

The same rules as the Redis script (redis_store.py), made atomic by a process lock.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from django.core.cache import cache

from apps.usage.counters.windows import (
    USAGE_TTL,
    CompanyWindows,
    Guard,
    Hit,
    Window,
    usage_days_key,
    usage_key,
)


def _incr(key: str, ttl: int) -> int:
    if cache.add(key, 1, timeout=ttl):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=ttl)
        return 1


def _holds(guard: Guard) -> bool:
    values = cache.get_many([key for key, _ in guard.equal] + list(guard.absent + guard.present))
    return (
        all(values.get(key) == value for key, value in guard.equal)
        and not any(key in values for key in guard.absent)
        and all(values.get(key) is not None for key in guard.present)
    )


class LocalCounterStore:
    _lock = threading.Lock()

    def hit_company(self, windows: CompanyWindows, guard: Guard | None = None) -> Hit | None:
        limits = windows.limits
        with self._lock:
            if guard is not None and not _holds(guard):
                return None
            counts = self._counts(limits)
            for window, count in zip(limits, counts, strict=True):
                if count >= window.limit:
                    company_day_used_up = counts[-1] >= windows.company_day.limit
                    first = company_day_used_up and cache.add(
                        windows.daily_refused_key, 1, timeout=windows.company_day.ttl
                    )
                    return Hit(False, counts, window.policy, first_daily_refusal=bool(first))
            counts = tuple(_incr(window.key, window.ttl) for window in limits)
            if _incr(windows.usage_key, USAGE_TTL) == 1:
                companies = cache.get(windows.days_key, set())
                companies.add(windows.company_id)
                cache.set(windows.days_key, companies, timeout=USAGE_TTL)
            return Hit(True, counts)

    def hit_window(self, window: Window) -> Hit:
        with self._lock:
            (count,) = self._counts((window,))
            if count >= window.limit:
                return Hit(False, (count,), window.policy)
            return Hit(True, (_incr(window.key, window.ttl),))

    def _counts(self, windows: Sequence[Window]) -> tuple[int, ...]:
        return tuple(cache.get(window.key, 0) for window in windows)

    def peek(self, windows: Sequence[Window]) -> tuple[int, ...]:
        return self._counts(windows)

    def metered_for(self, company_id: int, day: str) -> int:
        return cache.get(usage_key(company_id, day), 0)

    def metered(self, day: str) -> dict[int, int]:
        companies = cache.get(usage_days_key(day), set())
        values = {company_id: cache.get(usage_key(company_id, day)) for company_id in companies}
        return {company_id: value for company_id, value in values.items() if value is not None}
