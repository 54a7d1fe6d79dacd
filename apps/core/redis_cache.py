"""The default cache on Redis: an outage reads as cache misses, logged once a minute.

django-redis with ``IGNORE_EXCEPTIONS`` answers misses while Redis is down, so the app
degrades instead of failing; what it ignores is logged by ``OutageLogger``, one line per
interval per process instead of a traceback per cache call.
"""

from typing import Any

from django_redis.cache import RedisCache

from apps.core.outage_log import OutageLogger

OUTAGE_LOGGER = OutageLogger(
    __name__, "Redis unreachable for the cache; serving cache misses until it answers"
)


class RedisCacheLoggingOutages(RedisCache):
    """django-redis ignoring Redis errors, each outage logged in one line a minute."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = {**params.get("OPTIONS", {}), "IGNORE_EXCEPTIONS": True}
        super().__init__(server, {**params, "OPTIONS": options})
        self._log_ignored_exceptions = True
        self.logger = OUTAGE_LOGGER  # type: ignore[assignment]
