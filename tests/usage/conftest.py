"""Fixtures for the usage tests: which counter store is in use, and clean module state.

``apps.usage.counters`` keeps the store it chose in a module global, so every change of
CACHES is bracketed by ``reset_counter_store()``.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from apps.companies.limits import forget_plan_limits
from apps.usage import throttling
from apps.usage.counters import reset_counter_store
from config.caches import LIMITS_CACHE, caches_for
from tests.companies.factories import TrialCompanyFactory
from tests.usage.callers import CompanyCaller

# Nothing listens on port 1: a Redis there fails the way a down Redis does.
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def redis_cache(location: str, **options: Any) -> dict[str, Any]:
    """A django-redis cache at ``location``, shaped like the one REDIS_URL configures, and
    the login limits' cache on the same Redis, as REDIS_URL configures it."""
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": location,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1, **options},
            "KEY_PREFIX": "usage-tests",
        },
        LIMITS_CACHE: caches_for(location, key_prefix="usage-tests")[LIMITS_CACHE],
    }


@pytest.fixture(autouse=True)
def _fresh_usage_state(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    reset_counter_store()
    forget_plan_limits()
    throttling.STORE_FAILURE_REPORTS.forget()
    yield
    reset_counter_store()
    forget_plan_limits()


@pytest.fixture
def local_counters(settings: Any) -> Iterator[None]:
    """The embedded mode's store (LocalCounterStore on the local-memory cache)."""
    settings.CACHES = caches_for("", key_prefix="")
    reset_counter_store()
    cache.clear()
    yield
    reset_counter_store()


@pytest.fixture
def redis_counters(settings: Any) -> Iterator[None]:
    """The production store (RedisCounterStore) on the real Redis at REDIS_URL.

    Use with ``@pytest.mark.redis``, which skips (or fails) the test before this runs when
    Redis is not there.
    """
    settings.CACHES = redis_cache(settings.REDIS_URL)
    reset_counter_store()
    cache.clear()
    yield
    cache.clear()
    reset_counter_store()


@pytest.fixture
def redis_down(settings: Any) -> Iterator[None]:
    """Redis unreachable, configured as production configures it (cache errors ignored)."""
    settings.CACHES = redis_cache(UNREACHABLE_REDIS, IGNORE_EXCEPTIONS=True)
    reset_counter_store()
    yield
    reset_counter_store()


@pytest.fixture
def trial_caller(db: Any) -> CompanyCaller:
    """A company on trial: Starter's limits, 100 requests an hour."""
    return CompanyCaller(TrialCompanyFactory())
