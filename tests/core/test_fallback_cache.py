"""The limits' cache: Redis when it answers, the process's memory while it does not."""

import logging
from typing import Any

import pytest
import redis
from django.conf import settings

from apps.core import fallback_cache
from apps.core.fallback_cache import RedisCacheWithLocalFallback
from config.caches import LIMITS_CACHE, caches_for

# Nothing listens on port 1: a Redis there fails the way a down Redis does.
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"
KEY_PREFIX = "fallback-cache-tests"


def limits_cache_at(location: str, **options: Any) -> RedisCacheWithLocalFallback:
    """The limits' cache exactly as the settings configure it for ``location``."""
    params = caches_for(location, key_prefix=KEY_PREFIX)[LIMITS_CACHE]
    params["OPTIONS"] = {**params["OPTIONS"], **options}
    return RedisCacheWithLocalFallback(params["LOCATION"], params)


def fallback_logs(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "apps.core.fallback_cache"]


def count_attempts(cache: RedisCacheWithLocalFallback, key: str, times: int) -> list[int]:
    """Count as django-ratelimit does: add the key, else increment it."""
    counts = []
    for _ in range(times):
        counts.append(1 if cache.add(key, 1, 60) else cache.incr(key))
    return counts


def test_with_redis_down_it_counts_in_memory_and_logs_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Even told to ignore errors, it must see them to fall back.
    cache = limits_cache_at(UNREACHABLE_REDIS, IGNORE_EXCEPTIONS=True)

    with caplog.at_level(logging.ERROR):
        counts = count_attempts(cache, "attempts", times=5)
        fallback_cache._redis_down_until.clear()  # as if the retry interval had passed
        counts += count_attempts(cache, "attempts", times=2)

    assert counts == [1, 2, 3, 4, 5, 6, 7]
    assert cache.get("attempts") == 7
    [logged] = fallback_logs(caplog)
    assert logged.levelno == logging.ERROR
    assert "Redis unreachable for the login and signup limits" in logged.getMessage()


def test_the_fallback_is_logged_again_after_a_minute(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = limits_cache_at(UNREACHABLE_REDIS)
    cache.get("attempts")
    fallback_cache.FALLBACK_REPORTS.pretend_elapsed()
    fallback_cache._redis_down_until.clear()
    caplog.clear()

    with caplog.at_level(logging.ERROR):
        cache.get("attempts")

    assert len(fallback_logs(caplog)) == 1


def test_errors_that_are_not_an_outage_are_not_hidden() -> None:
    cache = limits_cache_at(UNREACHABLE_REDIS)

    with pytest.raises(ValueError, match="not found"):
        cache.incr("never-added")


@pytest.mark.redis
def test_on_redis_it_counts_in_redis_and_goes_back_to_it_after_an_outage(
    caplog: pytest.LogCaptureFixture,
) -> None:
    cache = limits_cache_at(settings.REDIS_URL)
    server = redis.Redis.from_url(settings.REDIS_URL)
    cache.clear()

    with caplog.at_level(logging.ERROR):
        before = count_attempts(cache, "attempts", times=3)
        stored = server.get(cache._redis.make_key("attempts"))
        # An outage begins: for the retry interval the cache leaves Redis alone.
        fallback_cache._redis_failed(settings.REDIS_URL, redis.ConnectionError("gone"))
        during = count_attempts(cache, "during-outage", times=2)
        fallback_cache._redis_down_until.clear()  # the retry interval has passed
        after = count_attempts(cache, "attempts", times=1)

    assert (before, during, after) == ([1, 2, 3], [1, 2], [4])
    assert stored == b"3"
    assert server.get(cache._redis.make_key("during-outage")) is None
    assert server.get(cache._redis.make_key("attempts")) == b"4"
    assert len(fallback_logs(caplog)) == 1
    cache.clear()
