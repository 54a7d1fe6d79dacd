"""The production counter store: one Lua script per request on the shared Redis.

A script runs atomically, so the check of every limit and the increments that follow are
one step: with any number of web processes exactly the limit is admitted in a window.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
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

# KEYS: the caller's n limit counters in the order checked (the company's day last: caller
# hour, caller day, for marketers and clients the members' day, company day), then usage,
# days, the daily-refused marker.
# ARGV: n, the n limits, the n ttls, usage ttl, company id.
# Returns {refused by (0: admitted, else the position of the first full limit), the
# company's first refusal today with its daily cap used up (0/1), the n counts}. A refused
# request is counted nowhere; an admitted one in every limit and in the day's metering.
_COMPANY_HIT_HEAD = """
local n = tonumber(ARGV[1])
"""
# KEYS after the hit's (n + 3): the guard's keys, equal ones first, then absent, then
# present. ARGV after the hit's (3 + 2n): how many of each, then the equal ones' values
# as stored. Returns {-1} and counts nothing unless every condition holds.
_GUARD = """
local g = 3 + 2 * n
local k = n + 3
local equal, absent, present = tonumber(ARGV[g + 1]), tonumber(ARGV[g + 2]), tonumber(ARGV[g + 3])
for i = 1, equal do
  if redis.call('GET', KEYS[k + i]) ~= ARGV[g + 3 + i] then return {-1} end
end
k = k + equal
for i = 1, absent do
  if redis.call('EXISTS', KEYS[k + i]) == 1 then return {-1} end
end
k = k + absent
for i = 1, present do
  if redis.call('EXISTS', KEYS[k + i]) == 0 then return {-1} end
end
"""
_COMPANY_HIT_BODY = """
local found = redis.call('MGET', unpack(KEYS, 1, n))
local counts = {}
for i = 1, n do counts[i] = tonumber(found[i]) or 0 end
for i = 1, n do
  if counts[i] >= tonumber(ARGV[1 + i]) then
    local first = 0
    if counts[n] >= tonumber(ARGV[1 + n])
      and redis.call('SET', KEYS[n + 3], '1', 'NX', 'EX', ARGV[1 + 2 * n]) then
      first = 1
    end
    return {i, first, unpack(counts)}
  end
end
for i = 1, n do
  counts[i] = redis.call('INCR', KEYS[i])
  if counts[i] == 1 then redis.call('EXPIRE', KEYS[i], ARGV[1 + n + i]) end
end
if redis.call('INCR', KEYS[n + 1]) == 1 then
  redis.call('EXPIRE', KEYS[n + 1], ARGV[2 + 2 * n])
  redis.call('SADD', KEYS[n + 2], ARGV[3 + 2 * n])
  redis.call('EXPIRE', KEYS[n + 2], ARGV[2 + 2 * n])
end
return {0, 0, unpack(counts)}
"""
COMPANY_HIT_SCRIPT = _COMPANY_HIT_HEAD + _COMPANY_HIT_BODY
GUARDED_COMPANY_HIT_SCRIPT = _COMPANY_HIT_HEAD + _GUARD + _COMPANY_HIT_BODY

# KEYS: the window's counter. ARGV: its limit, its ttl. Returns {admitted (0/1), count}.
WINDOW_HIT_SCRIPT = """
local count = tonumber(redis.call('GET', KEYS[1])) or 0
if count >= tonumber(ARGV[1]) then return {0, count} end
count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return {1, count}
"""


class RedisCounterStore:
    def __init__(self) -> None:
        from django_redis import get_redis_connection

        self.redis = get_redis_connection("default")
        self.prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
        self.company_script = self.redis.register_script(COMPANY_HIT_SCRIPT)
        self.guarded_company_script = self.redis.register_script(GUARDED_COMPANY_HIT_SCRIPT)
        self.window_script = self.redis.register_script(WINDOW_HIT_SCRIPT)

    def _key(self, key: str) -> str:
        return f"{self.prefix}:{key}" if self.prefix else key

    def hit_company(self, windows: CompanyWindows, guard: Guard | None = None) -> Hit | None:
        limits = windows.limits
        keys = [
            *(self._key(window.key) for window in limits),
            self._key(windows.usage_key),
            self._key(windows.days_key),
            self._key(windows.daily_refused_key),
        ]
        args = [
            len(limits),
            *(window.limit for window in limits),
            *(window.ttl for window in limits),
            USAGE_TTL,
            windows.company_id,
        ]
        if guard is None:
            answer = self.company_script(keys=keys, args=args)
        else:
            answer = self.guarded_company_script(
                keys=[*keys, *self._guard_keys(guard)], args=[*args, *self._guard_args(guard)]
            )
            if answer[0] == -1:
                return None
        refused_at, first, *counts = answer
        return Hit(
            admitted=refused_at == 0,
            counts=tuple(int(count) for count in counts),
            refused_by=limits[refused_at - 1].policy if refused_at else None,
            first_daily_refusal=bool(first),
        )

    @staticmethod
    def _guard_keys(guard: Guard) -> list[str]:
        names = [key for key, _ in guard.equal] + list(guard.absent) + list(guard.present)
        return [str(cache.make_key(name)) for name in names]

    @staticmethod
    def _guard_args(guard: Guard) -> list[Any]:
        # The values as the cache stores them (django-redis: integers as they are, the
        # rest serialized), so Redis compares bytes.
        stored = [cache.client.encode(value) for _, value in guard.equal]  # type: ignore[attr-defined]
        return [len(guard.equal), len(guard.absent), len(guard.present), *stored]

    def hit_window(self, window: Window) -> Hit:
        admitted, count = self.window_script(
            keys=[self._key(window.key)], args=[window.limit, window.ttl]
        )
        return Hit(
            admitted=bool(admitted),
            counts=(int(count),),
            refused_by=None if admitted else window.policy,
        )

    def peek(self, windows: Sequence[Window]) -> tuple[int, ...]:
        values = self.redis.mget([self._key(window.key) for window in windows])
        return tuple(int(value or 0) for value in values)

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
