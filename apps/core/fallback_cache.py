"""A cache on Redis that falls back to the process's own memory while Redis cannot answer.

The login-type limits count in it (django-ratelimit's ``RATELIMIT_USE_CACHE``, see
``config/caches.py``), so they keep limiting through a Redis outage instead of switching
off: each process counts on its own until Redis answers again. The inner django-redis
cache is built so that it sees errors (never ignoring them) and waits only briefly for
Redis; after a failure Redis is left alone for ``RETRY_SECONDS`` so that logins are not
slowed by a timeout on every step. The fallback is logged at most once a minute per
process.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

from apps.core.outage_log import OUTAGE_LOG_INTERVAL, OncePerInterval

logger = logging.getLogger(__name__)

# What Redis being down (refused, timed out, read-only during a failover...) looks like.
REDIS_ERRORS = (RedisError, ConnectionInterrupted, OSError)
RETRY_SECONDS = 5.0
LOG_INTERVAL = OUTAGE_LOG_INTERVAL
# One store per process, whatever the alias: it only ever holds an outage's counts.
LOCAL_LOCATION = "redis-fallback"
# Enough room that guesses at many addresses or accounts cannot push live counters out.
LOCAL_MAX_ENTRIES = 100_000
LOCAL_PARAMS = ("TIMEOUT", "KEY_PREFIX", "VERSION", "KEY_FUNCTION")

_state_lock = threading.Lock()
_redis_down_until: dict[str, float] = {}
FALLBACK_REPORTS = OncePerInterval(LOG_INTERVAL)


def _redis_usable(location: str) -> bool:
    return time.monotonic() >= _redis_down_until.get(location, 0.0)


def _redis_failed(location: str, exc: BaseException) -> None:
    with _state_lock:
        _redis_down_until[location] = time.monotonic() + RETRY_SECONDS
    if not FALLBACK_REPORTS.due():
        return
    logger.error(
        "Redis unreachable for the login and signup limits; counting in this process's "
        "memory until it answers: %s: %s",
        type(exc).__name__,
        exc,
    )


def forget_redis_failures() -> None:
    """Try Redis on the next call again and log the next failure (for tests)."""
    with _state_lock:
        _redis_down_until.clear()
    FALLBACK_REPORTS.forget()


class RedisCacheWithLocalFallback(BaseCache):
    """django-redis at ``LOCATION``, or the process's memory while Redis fails."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(params)
        options = {**params.get("OPTIONS", {}), "IGNORE_EXCEPTIONS": False}
        self._location = server
        self._redis = RedisCache(server, {**params, "OPTIONS": options})
        self._local = LocMemCache(
            LOCAL_LOCATION,
            {
                **{name: params[name] for name in LOCAL_PARAMS if name in params},
                "OPTIONS": {"MAX_ENTRIES": LOCAL_MAX_ENTRIES},
            },
        )

    def _call(self, method: str, *args: Any) -> Any:
        if _redis_usable(self._location):
            try:
                return getattr(self._redis, method)(*args)
            except REDIS_ERRORS as exc:
                _redis_failed(self._location, exc)
        return getattr(self._local, method)(*args)

    def add(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return self._call("add", key, value, timeout, version)

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        return self._call("get", key, default, version)

    def set(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        self._call("set", key, value, timeout, version)

    def touch(self, key: str, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._call("touch", key, timeout, version)

    def delete(self, key: str, version: int | None = None) -> bool:
        return self._call("delete", key, version)

    def has_key(self, key: str, version: int | None = None) -> bool:
        return self._call("has_key", key, version)

    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        return self._call("incr", key, delta, version)

    def decr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        return self._call("decr", key, delta, version)

    def get_many(self, keys: Iterable[str], version: int | None = None) -> dict[str, Any]:
        return self._call("get_many", list(keys), version)

    def set_many(
        self, data: Mapping[str, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[str]:
        return self._call("set_many", data, timeout, version) or []

    def delete_many(self, keys: Iterable[str], version: int | None = None) -> None:
        self._call("delete_many", list(keys), version)

    def clear(self) -> None:
        """Both: what was counted during an outage must not outlive a clear."""
        self._local.clear()
        self._call("clear")

    def close(self, **kwargs: Any) -> None:
        self._redis.close(**kwargs)
