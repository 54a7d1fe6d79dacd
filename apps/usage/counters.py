"""Request counters: one atomic step per API request.

For each request we count the company's hour and day and, when the request is admitted,
meter it. Admission is decided inside the counter store in the same atomic step as the
increments (a Lua script on Redis, a lock in the local store), so under any number of
concurrent requests exactly ``limit`` are admitted in a window, never more. DRF's stock
throttles read a list from the cache, change it and write it back, so concurrent
requests all see room and all get in.

Keys (the cache's key prefix is added on Redis):
- ``rl:h:<company>:<YYYYMMDDHH>`` requests tried this hour
- ``rl:d:<company>:<YYYYMMDD>``   requests that passed the hourly limit today
- ``usage:<company>:<YYYYMMDD>``  requests admitted today (metering)
- ``usage:days:<YYYYMMDD>``       set of companies with metered requests that day
- ``rl:e:<company>:<YYYYMMDD>``   set by the day's first refusal by the daily cap
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

HOUR = 3600
DAY = 86400
# Metering counters outlive their day so the flush after midnight still finds them.
USAGE_TTL = 3 * DAY


@dataclass(frozen=True, slots=True)
class Hit:
    admitted: bool
    hourly_count: int
    daily_count: int
    # Which limit refused the request ("hourly" or "daily"), if one did.
    refused_by: str | None = None
    # The company's first refusal by the daily cap today (exactly one per day).
    first_daily_refusal: bool = False


@dataclass(frozen=True, slots=True)
class Window:
    company_id: int
    hour_key: str
    day_key: str
    usage_key: str
    days_key: str
    daily_refused_key: str
    hour_ttl: int
    day_ttl: int
    hour_resets_at: datetime
    day_resets_at: datetime


def window_for(company_id: int, now: datetime | None = None) -> Window:
    """The company's current hour and day, in the project's time zone (Lagos)."""
    local = timezone.localtime(now or timezone.now())
    hour_start = local.replace(minute=0, second=0, microsecond=0)
    day_start = hour_start.replace(hour=0)
    hour_end = hour_start + timedelta(hours=1)
    day_end = day_start + timedelta(days=1)
    day = local.strftime("%Y%m%d")
    return Window(
        company_id=company_id,
        hour_key=f"rl:h:{company_id}:{local.strftime('%Y%m%d%H')}",
        day_key=f"rl:d:{company_id}:{day}",
        usage_key=usage_key(company_id, day),
        days_key=usage_days_key(day),
        daily_refused_key=f"rl:e:{company_id}:{day}",
        hour_ttl=int((hour_end - local).total_seconds()) + 60,
        day_ttl=int((day_end - local).total_seconds()) + 60,
        hour_resets_at=hour_end,
        day_resets_at=day_end,
    )


def usage_key(company_id: int, day: str) -> str:
    return f"usage:{company_id}:{day}"


def usage_days_key(day: str) -> str:
    return f"usage:days:{day}"


class CounterStore(Protocol):
    def hit(self, window: Window, hourly_limit: int, daily_limit: int) -> Hit: ...

    def peek(self, window: Window) -> tuple[int, int]: ...

    def metered(self, day: str) -> dict[int, int]: ...

    def metered_for(self, company_id: int, day: str) -> int: ...


# KEYS: hour, day, usage, days, daily-refused marker. ARGV: hourly limit, daily limit,
# hour ttl, day ttl, usage ttl, company id. Returns {admitted (0/1), hourly count, daily
# count, refused by, first daily refusal today (0/1)}.
HIT_SCRIPT = """
local hourly = redis.call('INCR', KEYS[1])
if hourly == 1 then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
if hourly > tonumber(ARGV[1]) then
  local daily = tonumber(redis.call('GET', KEYS[2]) or '0')
  return {0, hourly, daily, 'hourly', 0}
end
local daily = redis.call('INCR', KEYS[2])
if daily == 1 then redis.call('EXPIRE', KEYS[2], ARGV[4]) end
if daily > tonumber(ARGV[2]) then
  local first = redis.call('SET', KEYS[5], '1', 'NX', 'EX', ARGV[4])
  return {0, hourly, daily, 'daily', first and 1 or 0}
end
local used = redis.call('INCR', KEYS[3])
if used == 1 then
  redis.call('EXPIRE', KEYS[3], ARGV[5])
  redis.call('SADD', KEYS[4], ARGV[6])
  redis.call('EXPIRE', KEYS[4], ARGV[5])
end
return {1, hourly, daily, '', 0}
"""


class RedisCounterStore:
    def __init__(self) -> None:
        from django_redis import get_redis_connection

        self.redis = get_redis_connection("default")
        self.prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
        self.script = self.redis.register_script(HIT_SCRIPT)

    def _key(self, key: str) -> str:
        return f"{self.prefix}:{key}" if self.prefix else key

    def hit(self, window: Window, hourly_limit: int, daily_limit: int) -> Hit:
        admitted, hourly, daily, refused_by, first = self.script(
            keys=[
                self._key(window.hour_key),
                self._key(window.day_key),
                self._key(window.usage_key),
                self._key(window.days_key),
                self._key(window.daily_refused_key),
            ],
            args=[
                hourly_limit,
                daily_limit,
                window.hour_ttl,
                window.day_ttl,
                USAGE_TTL,
                window.company_id,
            ],
        )
        refused = refused_by.decode() if isinstance(refused_by, bytes) else refused_by
        return Hit(bool(admitted), int(hourly), int(daily), refused or None, bool(first))

    def peek(self, window: Window) -> tuple[int, int]:
        hourly, daily = self.redis.mget(self._key(window.hour_key), self._key(window.day_key))
        return int(hourly or 0), int(daily or 0)

    def metered_for(self, company_id: int, day: str) -> int:
        return int(self.redis.get(self._key(usage_key(company_id, day))) or 0)

    def metered(self, day: str) -> dict[int, int]:
        company_ids = sorted(
            int(value) for value in self.redis.smembers(self._key(usage_days_key(day)))
        )
        if not company_ids:
            return {}
        values = self.redis.mget(
            [self._key(usage_key(company_id, day)) for company_id in company_ids]
        )
        return {
            company_id: int(value)
            for company_id, value in zip(company_ids, values, strict=True)
            if value is not None
        }


class LocalCounterStore:
    """The embedded mode's store: one process, so a lock makes each step atomic."""

    _lock = threading.Lock()

    def _incr(self, key: str, ttl: int) -> int:
        if cache.add(key, 1, timeout=ttl):
            return 1
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=ttl)
            return 1

    def hit(self, window: Window, hourly_limit: int, daily_limit: int) -> Hit:
        with self._lock:
            hourly = self._incr(window.hour_key, window.hour_ttl)
            if hourly > hourly_limit:
                return Hit(False, hourly, cache.get(window.day_key, 0), "hourly")
            daily = self._incr(window.day_key, window.day_ttl)
            if daily > daily_limit:
                first = cache.add(window.daily_refused_key, 1, timeout=window.day_ttl)
                return Hit(False, hourly, daily, "daily", first_daily_refusal=bool(first))
            if self._incr(window.usage_key, USAGE_TTL) == 1:
                companies = cache.get(window.days_key, set())
                companies.add(window.company_id)
                cache.set(window.days_key, companies, timeout=USAGE_TTL)
            return Hit(True, hourly, daily)

    def peek(self, window: Window) -> tuple[int, int]:
        return cache.get(window.hour_key, 0), cache.get(window.day_key, 0)

    def metered_for(self, company_id: int, day: str) -> int:
        return cache.get(usage_key(company_id, day), 0)

    def metered(self, day: str) -> dict[int, int]:
        companies = cache.get(usage_days_key(day), set())
        values = {company_id: cache.get(usage_key(company_id, day)) for company_id in companies}
        return {company_id: value for company_id, value in values.items() if value is not None}


_store: CounterStore | None = None
_store_lock = threading.Lock()


def counter_store() -> CounterStore:
    """Redis when the cache is Redis (shared by every process), else the local store."""
    global _store
    if _store is None:
        with _store_lock:
            if _store is None:
                backend = settings.CACHES["default"]["BACKEND"]
                _store = RedisCounterStore() if "django_redis" in backend else LocalCounterStore()
    return _store


def reset_counter_store() -> None:
    """Forget the chosen store (the cache settings changed, e.g. in tests)."""
    global _store
    _store = None
