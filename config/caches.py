"""The caches: on Redis when REDIS_URL is set (shared by every process), else in each
process's memory.

- ``default``: django-redis with its errors ignored, so a Redis outage reads as cache
  misses and the app degrades instead of failing; the outage is logged in one line a
  minute per process (``apps.core.redis_cache``), not a traceback per cache call. The
  API throttle's counters (apps.usage) use its connection and fail open on their own.
- ``limits`` (``LIMITS_CACHE``): where the login-type limits count (django-ratelimit's
  ``RATELIMIT_USE_CACHE``: login, token refresh, password change and reset, signups, the
  admin login, logins per account). The same Redis, but its errors are seen, after a
  short wait, so that ``apps.core.fallback_cache`` counts in the process's memory
  instead: those limits keep limiting through an outage, per process.
"""

from typing import Any

LIMITS_CACHE = "limits"
# A login waits at most this long for Redis before its limits count in memory.
LIMITS_SOCKET_TIMEOUT = 0.5
# Per-process counters for the embedded mode; enough that many keys cannot push them out.
LOCAL_LIMITS = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "limits",
    "OPTIONS": {"MAX_ENTRIES": 100_000},
}


def caches_for(redis_url: str, *, key_prefix: str) -> dict[str, dict[str, Any]]:
    """The CACHES setting for ``redis_url`` (empty: the process's memory)."""
    if not redis_url:
        return {
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
            LIMITS_CACHE: dict(LOCAL_LIMITS),
        }
    return {
        "default": {
            "BACKEND": "apps.core.redis_cache.RedisCacheLoggingOutages",
            "LOCATION": redis_url,
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 2,
                "SOCKET_TIMEOUT": 2,
                "IGNORE_EXCEPTIONS": True,
            },
            "KEY_PREFIX": key_prefix,
        },
        LIMITS_CACHE: {
            "BACKEND": "apps.core.fallback_cache.RedisCacheWithLocalFallback",
            "LOCATION": redis_url,
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": LIMITS_SOCKET_TIMEOUT,
                "SOCKET_TIMEOUT": LIMITS_SOCKET_TIMEOUT,
            },
            "KEY_PREFIX": key_prefix,
        },
    }
