"""The production counter store: one Lua script per request on the shared Redis.

A script runs atomically, so the check of every limit and the increments that follow are
one step: with any number of web processes exactly the limit is admitted in a window.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings

from apps.usage.counters.windows import (
    USAGE_TTL,
    CompanyWindows,
    Hit,
    Window,
    usage_days_key,
    usage_key,
)

# KEYS: caller hour, caller day, company day, usage, days, daily-refused marker.
# ARGV: their three limits, hour ttl, day ttl, usage ttl, company id.
# Returns {refused by (0: admitted, else the position of the first full limit), the
# company's first refusal today with its daily cap used up (0/1), the three counts}. A
# refused request is counted nowhere; an admitted one in all three windows and in the
# day's metering.
COMPANY_HIT_SCRIPT = """
local found = redis.call('MGET', KEYS[1], KEYS[2], KEYS[3])
local counts = {tonumber(found[1]) or 0, tonumber(found[2]) or 0, tonumber(found[3]) or 0}
for i = 1, 3 do
  if counts[i] >= tonumber(ARGV[i]) then
    local first = 0
    if counts[3] >= tonumber(ARGV[3]) and redis.call('SET', KEYS[6], '1', 'NX', 'EX', ARGV[5]) then
      first = 1
    end
    return {i, first, counts[1], counts[2], counts[3]}
  end
end
local ttls = {ARGV[4], ARGV[5], ARGV[5]}
for i = 1, 3 do
  counts[i] = redis.call('INCR', KEYS[i])
  if counts[i] == 1 then redis.call('EXPIRE', KEYS[i], ttls[i]) end
end
if redis.call('INCR', KEYS[4]) == 1 then
  redis.call('EXPIRE', KEYS[4], ARGV[6])
  redis.call('SADD', KEYS[5], ARGV[7])
  redis.call('EXPIRE', KEYS[5], ARGV[6])
end
return {0, 0, counts[1], counts[2], counts[3]}
"""

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
        self.window_script = self.redis.register_script(WINDOW_HIT_SCRIPT)

    def _key(self, key: str) -> str:
        return f"{self.prefix}:{key}" if self.prefix else key

    def hit_company(self, windows: CompanyWindows) -> Hit:
        limits = windows.limits
        refused_at, first, *counts = self.company_script(
            keys=[
                *(self._key(window.key) for window in limits),
                self._key(windows.usage_key),
                self._key(windows.days_key),
                self._key(windows.daily_refused_key),
            ],
            args=[
                *(window.limit for window in limits),
                windows.caller_hour.ttl,
                windows.company_day.ttl,
                USAGE_TTL,
                windows.company_id,
            ],
        )
        return Hit(
            admitted=refused_at == 0,
            counts=tuple(int(count) for count in counts),
            refused_by=limits[refused_at - 1].policy if refused_at else None,
            first_daily_refusal=bool(first),
        )

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
