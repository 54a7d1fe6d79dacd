"""The counter stores: windows, one atomic step per request, metering, and concurrency."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django_redis import get_redis_connection

from apps.usage.counters import (
    USAGE_TTL,
    Hit,
    LocalCounterStore,
    RedisCounterStore,
    Window,
    counter_store,
    window_for,
)

COMPANY_ID = 41
OTHER_COMPANY_ID = 42
THREADS = 64
HITS = 500
HOURLY_LIMIT = 100
NO_DAILY_LIMIT = 10**9


def hit_concurrently(company_id: int, hits: int = HITS) -> list[Hit]:
    """``hits`` requests for one company at once from 64 threads, at 100 an hour."""
    # One window for all of them, so an hour ending mid-test cannot split the count.
    window = window_for(company_id)
    with ThreadPoolExecutor(THREADS) as pool:
        return list(
            pool.map(
                lambda _: counter_store().hit(window, HOURLY_LIMIT, NO_DAILY_LIMIT), range(hits)
            )
        )


def day_of(window: Window) -> str:
    """The window's day as the metering keys spell it (YYYYMMDD)."""
    return window.day_key.rsplit(":", 1)[1]


def assert_exactly_the_limit_admitted(hits: list[Hit], company_id: int) -> None:
    admitted = [hit for hit in hits if hit.admitted]
    refused = [hit for hit in hits if not hit.admitted]
    assert len(admitted) == HOURLY_LIMIT
    assert {hit.refused_by for hit in refused} == {"hourly"}
    # Every request got its own place in the count: no two read the same value.
    assert sorted(hit.hourly_count for hit in hits) == list(range(1, HITS + 1))
    assert sorted(hit.hourly_count for hit in admitted) == list(range(1, HOURLY_LIMIT + 1))
    day = day_of(window_for(company_id))
    assert counter_store().metered_for(company_id, day) == HOURLY_LIMIT
    assert counter_store().metered(day) == {company_id: HOURLY_LIMIT}


# --- windows ------------------------------------------------------------------------------


def test_windows_follow_the_lagos_clock() -> None:
    # 23:30 UTC on 31 March is 00:30 on 1 April in Lagos (UTC+1).
    window = window_for(COMPANY_ID, datetime(2026, 3, 31, 23, 30, tzinfo=UTC))

    assert window.hour_key == "rl:h:41:2026040100"
    assert window.day_key == "rl:d:41:20260401"
    assert window.usage_key == "usage:41:20260401"
    assert window.days_key == "usage:days:20260401"
    assert window.hour_resets_at == datetime(2026, 4, 1, 0, 0, tzinfo=UTC)  # 01:00 Lagos
    assert window.day_resets_at == datetime(2026, 4, 1, 23, 0, tzinfo=UTC)  # midnight Lagos
    # Counters live a minute past their window, so a late request still finds them.
    assert window.hour_ttl == 30 * 60 + 60
    assert window.day_ttl == 23 * 3600 + 30 * 60 + 60


def test_each_company_and_each_hour_has_its_own_window() -> None:
    now = datetime(2026, 4, 1, 10, 15, tzinfo=UTC)
    window = window_for(COMPANY_ID, now)

    assert window_for(OTHER_COMPANY_ID, now).hour_key != window.hour_key
    next_hour = window_for(COMPANY_ID, now + timedelta(hours=1))
    assert next_hour.hour_key != window.hour_key
    assert next_hour.day_key == window.day_key
    assert window_for(COMPANY_ID, now + timedelta(days=1)).day_key != window.day_key


# --- one step per request (the local store; the Redis script is checked below) -----------


@pytest.mark.usefixtures("local_counters")
def test_the_local_store_is_chosen_for_the_local_memory_cache() -> None:
    assert isinstance(counter_store(), LocalCounterStore)
    assert counter_store() is counter_store()


@pytest.mark.usefixtures("local_counters")
def test_admitted_requests_are_counted_hourly_daily_and_metered() -> None:
    window = window_for(COMPANY_ID)
    store = counter_store()

    hits = [store.hit(window, 3, 10) for _ in range(3)]

    assert hits == [Hit(True, 1, 1), Hit(True, 2, 2), Hit(True, 3, 3)]
    assert store.peek(window) == (3, 3)
    day = day_of(window)
    assert store.metered_for(COMPANY_ID, day) == 3
    assert store.metered(day) == {COMPANY_ID: 3}


@pytest.mark.usefixtures("local_counters")
def test_a_request_over_the_hourly_limit_is_refused_and_not_counted_for_the_day() -> None:
    window = window_for(COMPANY_ID)
    store = counter_store()
    for _ in range(2):
        store.hit(window, 2, 10)

    refused = store.hit(window, 2, 10)

    assert refused == Hit(False, 3, 2, "hourly")
    day = day_of(window)
    assert store.peek(window) == (3, 2)
    assert store.metered_for(COMPANY_ID, day) == 2


@pytest.mark.usefixtures("local_counters")
def test_a_request_over_the_daily_cap_is_refused_and_not_metered() -> None:
    window = window_for(COMPANY_ID)
    store = counter_store()
    for _ in range(2):
        store.hit(window, 100, 2)

    first_refusal = store.hit(window, 100, 2)
    second_refusal = store.hit(window, 100, 2)

    assert first_refusal == Hit(False, 3, 3, "daily", first_daily_refusal=True)
    # The day's count keeps rising, so only one refusal ever sees cap + 1 (the event's cue).
    assert second_refusal == Hit(False, 4, 4, "daily")
    day = day_of(window)
    assert store.metered_for(COMPANY_ID, day) == 2


@pytest.mark.usefixtures("local_counters")
def test_a_new_day_starts_from_zero() -> None:
    today = datetime(2026, 4, 1, 22, 0, tzinfo=UTC)  # 23:00 in Lagos
    store = counter_store()
    for _ in range(2):
        store.hit(window_for(COMPANY_ID, today), 100, 2)
    assert not store.hit(window_for(COMPANY_ID, today), 100, 2).admitted

    tomorrow = store.hit(window_for(COMPANY_ID, today + timedelta(hours=2)), 100, 2)

    assert tomorrow == Hit(True, 1, 1)
    assert store.metered("20260401") == {COMPANY_ID: 2}
    assert store.metered("20260402") == {COMPANY_ID: 1}


@pytest.mark.usefixtures("local_counters")
def test_companies_are_counted_apart() -> None:
    store = counter_store()
    for _ in range(3):
        store.hit(window_for(COMPANY_ID), 3, 10)

    other = store.hit(window_for(OTHER_COMPANY_ID), 3, 10)

    assert other == Hit(True, 1, 1)
    assert not store.hit(window_for(COMPANY_ID), 3, 10).admitted
    day = day_of(window_for(COMPANY_ID))
    assert store.metered(day) == {COMPANY_ID: 3, OTHER_COMPANY_ID: 1}


@pytest.mark.usefixtures("local_counters")
def test_an_unknown_day_has_no_metered_requests() -> None:
    assert counter_store().metered("20200101") == {}
    assert counter_store().metered_for(COMPANY_ID, "20200101") == 0


# --- concurrency --------------------------------------------------------------------------


@pytest.mark.usefixtures("local_counters")
def test_local_store_admits_exactly_the_limit_under_64_threads() -> None:
    hits = hit_concurrently(COMPANY_ID)

    assert_exactly_the_limit_admitted(hits, COMPANY_ID)


@pytest.mark.redis
@pytest.mark.usefixtures("redis_counters")
def test_redis_store_admits_exactly_the_limit_under_64_threads() -> None:
    assert isinstance(counter_store(), RedisCounterStore)

    hits = hit_concurrently(COMPANY_ID)

    assert_exactly_the_limit_admitted(hits, COMPANY_ID)


# --- the Redis store: the same rules, in the shared cache ----------------------------------


@pytest.mark.redis
@pytest.mark.usefixtures("redis_counters")
def test_redis_store_keeps_its_counters_in_the_cache_under_its_prefix(settings: Any) -> None:
    window = window_for(COMPANY_ID)
    store = counter_store()

    results = [store.hit(window, 2, 3) for _ in range(5)]

    assert results == [
        Hit(True, 1, 1),
        Hit(True, 2, 2),
        Hit(False, 3, 2, "hourly"),
        Hit(False, 4, 2, "hourly"),
        Hit(False, 5, 2, "hourly"),
    ]
    redis = get_redis_connection("default")
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    assert redis.get(f"{prefix}:{window.hour_key}") == b"5"
    assert redis.get(f"{prefix}:{window.day_key}") == b"2"
    assert redis.get(f"{prefix}:{window.usage_key}") == b"2"
    assert redis.smembers(f"{prefix}:{window.days_key}") == {str(COMPANY_ID).encode()}
    # Every key expires: the hour's and day's just after their window, metering later.
    assert 0 < redis.ttl(f"{prefix}:{window.hour_key}") <= window.hour_ttl
    assert 0 < redis.ttl(f"{prefix}:{window.day_key}") <= window.day_ttl
    assert window.day_ttl < redis.ttl(f"{prefix}:{window.usage_key}") <= USAGE_TTL
    assert store.peek(window) == (5, 2)


@pytest.mark.redis
@pytest.mark.usefixtures("redis_counters")
def test_redis_store_refuses_over_the_daily_cap_without_metering() -> None:
    window = window_for(COMPANY_ID)
    store = counter_store()

    results = [store.hit(window, 100, 2) for _ in range(4)]

    assert results == [
        Hit(True, 1, 1),
        Hit(True, 2, 2),
        Hit(False, 3, 3, "daily", first_daily_refusal=True),
        Hit(False, 4, 4, "daily"),
    ]
    day = day_of(window)
    assert store.metered_for(COMPANY_ID, day) == 2
    assert store.metered(day) == {COMPANY_ID: 2}
    assert store.metered("20200101") == {}
