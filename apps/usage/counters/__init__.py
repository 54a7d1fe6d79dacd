"""Request counters: one atomic step per API request.

For each request the counter store checks every limit of the caller (windows.py) and,
only if all have room, counts the request in each and meters it. The check and the
increments are one atomic step inside the store (a Lua script on Redis, a lock in the
local store), so under any number of concurrent requests exactly ``limit`` are admitted
in a window, never more. DRF's stock throttles read a list from the cache, change it and
write it back, so concurrent requests all see room and all get in.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from django_redis.cache import RedisCache

from apps.usage.counters.local_store import LocalCounterStore
from apps.usage.counters.redis_store import RedisCounterStore
from apps.usage.counters.windows import (
    CALLER_DAILY,
    CALLER_HOURLY,
    COMPANY_DAILY,
    DAY,
    HOUR,
    MEMBERS_DAILY,
    USAGE_TTL,
    CompanyWindows,
    Guard,
    Hit,
    Window,
    caller_daily_share,
    caller_id,
    company_windows,
    counts_as_member,
    members_daily_share,
    usage_days_key,
    usage_key,
    user_window,
)

__all__ = [
    "CALLER_DAILY",
    "CALLER_HOURLY",
    "COMPANY_DAILY",
    "DAY",
    "HOUR",
    "MEMBERS_DAILY",
    "USAGE_TTL",
    "CompanyWindows",
    "CounterStore",
    "Guard",
    "Hit",
    "LocalCounterStore",
    "RedisCounterStore",
    "Window",
    "caller_daily_share",
    "caller_id",
    "company_windows",
    "counter_store",
    "counts_as_member",
    "members_daily_share",
    "reset_counter_store",
    "usage_days_key",
    "usage_key",
    "user_window",
]


class CounterStore(Protocol):
    def hit_company(self, windows: CompanyWindows, guard: Guard | None = None) -> Hit | None:
        """Check and count; with a ``guard``, None (nothing counted) unless it holds."""

    def hit_window(self, window: Window) -> Hit: ...

    def peek(self, windows: Sequence[Window]) -> tuple[int, ...]: ...

    def metered(self, day: str) -> dict[int, int]: ...

    def metered_for(self, company_id: int, day: str) -> int: ...


_store: CounterStore | None = None
_store_lock = threading.Lock()


def counter_store() -> CounterStore:
    """Redis when the cache is Redis (shared by every process), else the local store."""
    global _store
    if _store is None:
        with _store_lock:
            if _store is None:
                backend = import_string(settings.CACHES["default"]["BACKEND"])
                on_redis = issubclass(backend, RedisCache)
                _store = RedisCounterStore() if on_redis else LocalCounterStore()
    return _store


def reset_counter_store() -> None:
    """Forget the chosen store (the cache settings changed, e.g. in tests)."""
    global _store
    _store = None
