"""The counter stores: windows per caller and company, one atomic step per request,
metering, and concurrency."""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django_redis import get_redis_connection

from apps.core.roles import Role
from apps.usage.counters import (
    USAGE_TTL,
    CompanyWindows,
    Hit,
    LocalCounterStore,
    RedisCounterStore,
    caller_daily_share,
    caller_id,
    company_windows,
    counter_store,
    counts_as_member,
    members_daily_share,
    user_window,
)

COMPANY_ID = 41
OTHER_COMPANY_ID = 42
USER_ID = 7
THREADS = 64
HITS = 500
HOURLY_LIMIT = 100
UNLIMITED = 10**9


def windows(
    caller: str = "u1",
    *,
    company_id: int = COMPANY_ID,
    role: str = Role.COMPANY_ADMIN,
    hourly: int = UNLIMITED,
    daily: int = UNLIMITED,
    now: datetime | None = None,
) -> CompanyWindows:
    return company_windows(
        company_id=company_id,
        caller=caller,
        role=role,
        hourly_limit=hourly,
        daily_limit=daily,
        now=now,
    )


def day_of(company: CompanyWindows) -> str:
    """The windows' day as the metering keys spell it (YYYYMMDD)."""
    return company.company_day.key.rsplit(":", 1)[1]


def hit_concurrently(requests: list[CompanyWindows]) -> list[Hit]:
    """One request per entry, all at once from 64 threads."""
    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(lambda request: counter_store().hit_company(request), requests))


# --- windows ------------------------------------------------------------------------------


def test_windows_follow_the_lagos_clock() -> None:
    # 23:30 UTC on 31 March is 00:30 on 1 April in Lagos (UTC+1).
    company = windows("k5", hourly=100, daily=1_000, now=datetime(2026, 3, 31, 23, 30, tzinfo=UTC))

    hour, share, day = company.limits
    assert (hour.policy, hour.key, hour.limit, hour.seconds) == (
        "caller-hourly",
        "rl:h:41:k5:2026040100",
        100,
        3600,
    )
    assert (share.policy, share.key, share.limit, share.seconds) == (
        "caller-daily",
        "rl:s:41:k5:20260401",
        500,
        86400,
    )
    assert (day.policy, day.key, day.limit, day.seconds) == (
        "company-daily",
        "rl:d:41:20260401",
        1_000,
        86400,
    )
    assert company.usage_key == "usage:41:20260401"
    assert company.days_key == "usage:days:20260401"
    assert company.daily_refused_key == "rl:e:41:20260401"
    assert hour.resets_at == datetime(2026, 4, 1, 0, 0, tzinfo=UTC)  # 01:00 Lagos
    assert share.resets_at == day.resets_at == datetime(2026, 4, 1, 23, 0, tzinfo=UTC)
    # Counters live a minute past their window, so a late request still finds them.
    assert hour.ttl == 30 * 60 + 60
    assert share.ttl == day.ttl == 23 * 3600 + 30 * 60 + 60


def test_each_caller_company_and_hour_has_its_own_window() -> None:
    now = datetime(2026, 4, 1, 10, 15, tzinfo=UTC)
    mine = windows("u1", now=now)

    colleague = windows("u2", now=now)
    assert colleague.caller_hour.key != mine.caller_hour.key
    assert colleague.caller_day.key != mine.caller_day.key
    assert colleague.company_day.key == mine.company_day.key
    assert colleague.usage_key == mine.usage_key
    other_company = windows("u1", company_id=OTHER_COMPANY_ID, now=now)
    assert {window.key for window in other_company.limits}.isdisjoint(
        window.key for window in mine.limits
    )
    next_hour = windows("u1", now=now + timedelta(hours=1))
    assert next_hour.caller_hour.key != mine.caller_hour.key
    assert next_hour.caller_day.key == mine.caller_day.key
    assert windows("u1", now=now + timedelta(days=1)).company_day.key != mine.company_day.key


def test_a_caller_is_a_user_or_an_api_key() -> None:
    assert caller_id(user_id=7, api_key_id=None) == "u7"
    assert caller_id(user_id=None, api_key_id=7) == "k7"
    with pytest.raises(ValueError, match="user or an API key"):
        caller_id(user_id=None, api_key_id=None)


@pytest.mark.parametrize(
    ("share", "daily_limit", "expected"),
    [
        ("0.5", 1_000, 500),
        ("0.5", 5, 2),  # rounded down
        ("0.5", 1, 1),  # at least one request
        ("0.29", 100, 29),  # exact: a float would give 28
        ("1", 10, 10),
        ("0", 10, 1),
    ],
)
def test_a_callers_daily_share(settings: Any, share: str, daily_limit: int, expected: int) -> None:
    settings.API_CALLER_DAILY_SHARE = share

    assert caller_daily_share(daily_limit, role=Role.COMPANY_ADMIN) == expected
    assert windows(daily=daily_limit).caller_day.limit == expected


def test_a_marketer_or_client_is_also_counted_in_the_members_day() -> None:
    now = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)  # 00:30 on 1 April in Lagos
    admin = windows("u5", hourly=100, daily=1_000, now=now)
    marketer = windows("u6", role=Role.MARKETER, hourly=100, daily=1_000, now=now)
    client = windows("u7", role=Role.CLIENT, hourly=100, daily=1_000, now=now)

    _, share, members, day = marketer.limits
    assert [window.policy for window in marketer.limits] == [
        "caller-hourly",
        "caller-daily",
        "members-daily",
        "company-daily",
    ]
    assert (share.key, share.limit) == ("rl:s:41:u6:20260401", 100)
    assert (members.key, members.limit, members.seconds) == ("rl:m:41:20260401", 500, 86400)
    assert members.resets_at == day.resets_at and members.ttl == day.ttl
    assert client.limits[2] == members
    assert client.caller_day.limit == 100
    # An admin (and an API key, which acts as one) is not counted in the members' day.
    assert [window.policy for window in admin.limits] == [
        "caller-hourly",
        "caller-daily",
        "company-daily",
    ]
    assert admin.caller_day.limit == 500
    assert admin.members_day == members


@pytest.mark.parametrize(
    ("role", "member"),
    [(Role.COMPANY_ADMIN, False), (Role.MARKETER, True), (Role.CLIENT, True), ("new-role", True)],
)
def test_everyone_but_an_admin_counts_as_a_member(role: str, member: bool) -> None:
    assert counts_as_member(role) is member


@pytest.mark.parametrize(
    ("caller_share", "members_share", "daily_limit", "expected"),
    [
        ("0.1", "0.5", 1_000, (100, 500)),
        ("0.1", "0.5", 15, (1, 7)),  # rounded down
        ("0.1", "0.5", 1, (1, 1)),  # at least one request
        ("0.29", "0.29", 100, (29, 29)),  # exact: a float would give 28
        ("0", "0", 10, (1, 1)),
    ],
)
def test_a_members_daily_share_and_the_members_share_together(
    settings: Any,
    caller_share: str,
    members_share: str,
    daily_limit: int,
    expected: tuple[int, int],
) -> None:
    settings.API_MEMBER_CALLER_DAILY_SHARE = caller_share
    settings.API_MEMBERS_DAILY_SHARE = members_share

    shares = (caller_daily_share(daily_limit, role=Role.CLIENT), members_daily_share(daily_limit))

    assert shares == expected
    marketer = windows(role=Role.MARKETER, daily=daily_limit)
    assert (marketer.caller_day.limit, marketer.members_day.limit) == expected


def test_a_user_without_a_company_has_an_hour_of_their_own() -> None:
    window = user_window(
        user_id=USER_ID, hourly_limit=300, now=datetime(2026, 4, 1, 10, 15, tzinfo=UTC)
    )

    assert (window.policy, window.key, window.limit, window.seconds) == (
        "caller-hourly",
        "rl:h:user:7:2026040111",
        300,
        3600,
    )
    assert window.ttl == 45 * 60 + 60


# --- one step per request (the local store; the Redis script is checked below) -----------


@pytest.mark.usefixtures("local_counters")
def test_the_local_store_is_chosen_for_the_local_memory_cache() -> None:
    assert isinstance(counter_store(), LocalCounterStore)
    assert counter_store() is counter_store()


@pytest.mark.usefixtures("local_counters")
def test_admitted_requests_are_counted_in_every_window_and_metered() -> None:
    mine = windows(hourly=3, daily=10)
    store = counter_store()

    hits = [store.hit_company(mine) for _ in range(3)]

    assert hits == [Hit(True, (1, 1, 1)), Hit(True, (2, 2, 2)), Hit(True, (3, 3, 3))]
    assert store.peek(mine.limits) == (3, 3, 3)
    assert store.metered_for(COMPANY_ID, day_of(mine)) == 3
    assert store.metered(day_of(mine)) == {COMPANY_ID: 3}


@pytest.mark.usefixtures("local_counters")
def test_a_caller_over_its_hour_is_refused_counted_nowhere_and_blocks_no_one_else() -> None:
    mine, colleague = windows("u1", hourly=2, daily=10), windows("k1", hourly=2, daily=10)
    store = counter_store()
    for _ in range(2):
        store.hit_company(mine)

    refused = store.hit_company(mine)
    admitted = store.hit_company(colleague)

    assert refused == Hit(False, (2, 2, 2), "caller-hourly")
    assert store.peek(mine.limits) == (2, 2, 3)
    assert admitted == Hit(True, (1, 1, 3))
    assert store.metered_for(COMPANY_ID, day_of(mine)) == 3


@pytest.mark.usefixtures("local_counters")
def test_a_caller_over_its_daily_share_is_refused_and_the_others_go_on() -> None:
    # A cap of 10: each caller may use 5 of it.
    mine, colleague = windows("u1", daily=10), windows("u2", daily=10)
    store = counter_store()
    for _ in range(5):
        store.hit_company(mine)

    refused = store.hit_company(mine)
    admitted = [store.hit_company(colleague) for _ in range(5)]

    assert refused == Hit(False, (5, 5, 5), "caller-daily")
    assert [hit.admitted for hit in admitted] == [True] * 5
    assert admitted[-1].counts == (5, 5, 10)
    assert store.metered_for(COMPANY_ID, day_of(mine)) == 10


@pytest.mark.usefixtures("local_counters")
def test_the_company_daily_cap_is_shared_and_its_first_refusal_is_marked_once() -> None:
    callers = [windows(caller, daily=4) for caller in ("u1", "u2", "k1")]  # share: 2 each
    store = counter_store()
    admitted = [store.hit_company(callers[0]) for _ in range(2)]
    admitted += [store.hit_company(callers[1]) for _ in range(2)]

    first_refusal = store.hit_company(callers[2])
    second_refusal = store.hit_company(callers[2])
    colleague_refused = store.hit_company(callers[0])

    assert [hit.admitted for hit in admitted] == [True] * 4
    assert first_refusal == Hit(False, (0, 0, 4), "company-daily", first_daily_refusal=True)
    assert second_refusal == Hit(False, (0, 0, 4), "company-daily")
    # The caller's share is full too; the share is checked first and names the refusal.
    assert colleague_refused == Hit(False, (2, 2, 4), "caller-daily")
    assert store.metered_for(COMPANY_ID, day_of(callers[0])) == 4


@pytest.mark.usefixtures("local_counters")
def test_a_refusal_by_a_share_alone_is_not_marked_but_one_with_the_cap_used_up_is() -> None:
    mine, colleague = windows("u1", daily=4), windows("u2", daily=4)  # share: 2 each
    store = counter_store()
    for _ in range(2):
        store.hit_company(mine)

    share_only = store.hit_company(mine)
    for _ in range(2):
        store.hit_company(colleague)
    cap_used_up = [store.hit_company(colleague), store.hit_company(mine)]

    assert share_only == Hit(False, (2, 2, 2), "caller-daily")
    assert cap_used_up == [
        Hit(False, (2, 2, 4), "caller-daily", first_daily_refusal=True),
        Hit(False, (2, 2, 4), "caller-daily"),
    ]


def assert_members_share_the_part_of_the_day_left_to_them() -> None:
    # A cap of 20: 2 per marketer or client, 10 for all of them, 10 per admin or key.
    members = [
        windows(f"u{n}", role=(Role.MARKETER, Role.CLIENT)[n % 2], daily=20) for n in range(6)
    ]
    admin, key = windows("u99", daily=20), windows("k1", daily=20)
    store = counter_store()

    over_share = [store.hit_company(members[0]) for _ in range(3)]
    for member in members[1:5]:
        for _ in range(2):
            store.hit_company(member)
    sixth = store.hit_company(members[5])
    admins = [store.hit_company(admin) for _ in range(9)]
    by_key = [store.hit_company(key) for _ in range(2)]

    assert over_share == [
        Hit(True, (1, 1, 1, 1)),
        Hit(True, (2, 2, 2, 2)),
        Hit(False, (2, 2, 2, 2), "caller-daily"),
    ]
    # Refused and counted nowhere: not in the caller's windows, not metered.
    assert sixth == Hit(False, (0, 0, 10, 10), "members-daily")
    assert store.peek((members[5].caller_hour, members[5].caller_day)) == (0, 0)
    # Admins and keys are not counted in the members' day, and it does not limit them.
    assert admins[-1] == Hit(True, (9, 9, 19))
    assert by_key == [Hit(True, (1, 1, 20)), Hit(False, (1, 1, 20), "company-daily", True)]
    assert store.peek((admin.members_day,)) == (10,)
    assert store.metered_for(COMPANY_ID, day_of(admin)) == 20


@pytest.mark.usefixtures("local_counters")
def test_local_store_keeps_the_members_to_their_part_of_the_day() -> None:
    assert_members_share_the_part_of_the_day_left_to_them()


@pytest.mark.usefixtures("local_counters")
def test_a_new_day_starts_from_zero() -> None:
    today = datetime(2026, 4, 1, 22, 0, tzinfo=UTC)  # 23:00 in Lagos
    store = counter_store()
    for _ in range(2):
        store.hit_company(windows(daily=2, now=today))
    assert not store.hit_company(windows(daily=2, now=today)).admitted

    tomorrow = store.hit_company(windows(daily=2, now=today + timedelta(hours=2)))

    assert tomorrow == Hit(True, (1, 1, 1))
    assert store.metered("20260401") == {COMPANY_ID: 1}
    assert store.metered("20260402") == {COMPANY_ID: 1}


@pytest.mark.usefixtures("local_counters")
def test_companies_are_counted_apart() -> None:
    store = counter_store()
    for _ in range(3):
        store.hit_company(windows(hourly=3, daily=10))

    other = store.hit_company(windows(company_id=OTHER_COMPANY_ID, hourly=3, daily=10))

    assert other == Hit(True, (1, 1, 1))
    assert not store.hit_company(windows(hourly=3, daily=10)).admitted
    assert store.metered(day_of(windows())) == {COMPANY_ID: 3, OTHER_COMPANY_ID: 1}


@pytest.mark.usefixtures("local_counters")
def test_a_user_without_a_company_is_limited_and_not_metered() -> None:
    window = user_window(user_id=USER_ID, hourly_limit=2)
    store = counter_store()

    hits = [store.hit_window(window) for _ in range(3)]

    assert hits == [Hit(True, (1,)), Hit(True, (2,)), Hit(False, (2,), "caller-hourly")]
    assert store.peek([window]) == (2,)
    assert store.metered(day_of(windows())) == {}


@pytest.mark.usefixtures("local_counters")
def test_an_unknown_day_has_no_metered_requests() -> None:
    assert counter_store().metered("20200101") == {}
    assert counter_store().metered_for(COMPANY_ID, "20200101") == 0


# --- concurrency --------------------------------------------------------------------------


def assert_one_caller_gets_exactly_its_hour() -> None:
    # One window for all of them, so an hour ending mid-test cannot split the count.
    mine = windows("u1", hourly=HOURLY_LIMIT)

    hits = hit_concurrently([mine] * HITS)

    admitted = [hit for hit in hits if hit.admitted]
    assert len(admitted) == HOURLY_LIMIT
    assert {hit.refused_by for hit in hits if not hit.admitted} == {"caller-hourly"}
    # Every admitted request got its own place in each count: no two read the same value.
    for position in range(3):
        assert sorted(hit.counts[position] for hit in admitted) == list(range(1, HOURLY_LIMIT + 1))
    assert counter_store().metered_for(COMPANY_ID, day_of(mine)) == HOURLY_LIMIT
    assert counter_store().metered(day_of(mine)) == {COMPANY_ID: HOURLY_LIMIT}


def assert_many_callers_get_exactly_the_company_cap_and_no_more_than_a_share(
    settings: Any,
) -> None:
    settings.API_CALLER_DAILY_SHARE = "0.3"
    greedy = windows("u0", daily=HOURLY_LIMIT)
    others = [windows(f"u{number}", daily=HOURLY_LIMIT) for number in range(1, 10)]
    # A cap of 100, of which each caller may use 30: one greedy caller fires 300 requests,
    # nine others 200 between them (fewer than 30 each), interleaved.
    requests = [greedy if n % 5 < 3 else others[n % 9] for n in range(HITS)]

    hits = hit_concurrently(requests)

    admitted_by = Counter(
        request.caller_day.key for request, hit in zip(requests, hits, strict=True) if hit.admitted
    )
    assert sum(admitted_by.values()) == HOURLY_LIMIT
    assert admitted_by[greedy.caller_day.key] <= 30
    # The greedy caller met its share before the company's cap ran out.
    assert {hit.refused_by for hit in hits if not hit.admitted} == {
        "caller-daily",
        "company-daily",
    }
    assert sorted(hit.counts[2] for hit in hits if hit.admitted) == list(range(1, HOURLY_LIMIT + 1))
    assert counter_store().metered_for(COMPANY_ID, day_of(requests[0])) == HOURLY_LIMIT


def assert_members_get_exactly_their_part_and_the_admins_the_rest() -> None:
    # A cap of 100: 10 per marketer or client and 50 for all of them; 50 per admin. Ten
    # members fire 400 requests (one of them half), one admin 100, interleaved.
    members = [
        windows(f"u{n}", role=(Role.MARKETER, Role.CLIENT)[n % 2], daily=HOURLY_LIMIT)
        for n in range(10)
    ]
    admin = windows("u99", daily=HOURLY_LIMIT)
    requests = [
        admin if n % 5 == 0 else members[0] if n % 2 else members[n % 10] for n in range(HITS)
    ]

    hits = hit_concurrently(requests)

    admitted_by = Counter(
        request.caller_day.key for request, hit in zip(requests, hits, strict=True) if hit.admitted
    )
    assert sum(admitted_by.values()) == HOURLY_LIMIT
    assert admitted_by.pop(admin.caller_day.key) == 50
    assert sum(admitted_by.values()) == 50
    assert max(admitted_by.values()) == 10
    admitted_members = [
        hit for request, hit in zip(requests, hits, strict=True) if hit.admitted and request.member
    ]
    # Every admitted member request took its own place in the members' count.
    assert sorted(hit.counts[2] for hit in admitted_members) == list(range(1, 51))
    assert sorted(hit.counts[-1] for hit in hits if hit.admitted) == list(
        range(1, HOURLY_LIMIT + 1)
    )
    assert counter_store().metered_for(COMPANY_ID, day_of(admin)) == HOURLY_LIMIT


@pytest.mark.usefixtures("local_counters")
def test_local_store_admits_exactly_the_members_part_under_64_threads() -> None:
    assert_members_get_exactly_their_part_and_the_admins_the_rest()


@pytest.mark.redis
@pytest.mark.usefixtures("redis_counters")
def test_redis_store_admits_exactly_the_members_part_under_64_threads() -> None:
    assert isinstance(counter_store(), RedisCounterStore)

    assert_members_get_exactly_their_part_and_the_admins_the_rest()


@pytest.mark.usefixtures("local_counters")
def test_local_store_admits_exactly_one_callers_hour_under_64_threads() -> None:
    assert_one_caller_gets_exactly_its_hour()


@pytest.mark.usefixtures("local_counters")
def test_local_store_admits_exactly_the_company_cap_to_many_callers(settings: Any) -> None:
    assert_many_callers_get_exactly_the_company_cap_and_no_more_than_a_share(settings)


@pytest.mark.redis
@pytest.mark.usefixtures("redis_counters")
def test_redis_store_admits_exactly_one_callers_hour_under_64_threads() -> None:
    assert isinstance(counter_store(), RedisCounterStore)

    assert_one_caller_gets_exactly_its_hour()


@pytest.mark.redis
@pytest.mark.usefixtures("redis_counters")
def test_redis_store_admits_exactly_the_company_cap_to_many_callers(settings: Any) -> None:
    assert isinstance(counter_store(), RedisCounterStore)

    assert_many_callers_get_exactly_the_company_cap_and_no_more_than_a_share(settings)


@pytest.mark.redis
@pytest.mark.usefixtures("redis_counters")
def test_redis_store_admits_exactly_a_no_company_users_hour_under_64_threads() -> None:
    window = user_window(user_id=USER_ID, hourly_limit=HOURLY_LIMIT)

    with ThreadPoolExecutor(THREADS) as pool:
        hits = list(pool.map(lambda _: counter_store().hit_window(window), range(HITS)))

    admitted = [hit for hit in hits if hit.admitted]
    assert sorted(hit.counts[0] for hit in admitted) == list(range(1, HOURLY_LIMIT + 1))
    assert {hit.refused_by for hit in hits if not hit.admitted} == {"caller-hourly"}


# --- the Redis store: the same rules, in the shared cache ----------------------------------


@pytest.mark.redis
@pytest.mark.usefixtures("redis_counters")
def test_redis_store_keeps_its_counters_in_the_cache_under_its_prefix(settings: Any) -> None:
    mine, colleague = windows("u1", hourly=2, daily=6), windows("k1", hourly=2, daily=6)
    store = counter_store()

    results = [store.hit_company(mine) for _ in range(4)] + [store.hit_company(colleague)]

    assert results == [
        Hit(True, (1, 1, 1)),
        Hit(True, (2, 2, 2)),
        Hit(False, (2, 2, 2), "caller-hourly"),
        Hit(False, (2, 2, 2), "caller-hourly"),
        Hit(True, (1, 1, 3)),
    ]
    redis = get_redis_connection("default")
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    hour, share, day = mine.limits
    assert redis.get(f"{prefix}:{hour.key}") == b"2"
    assert redis.get(f"{prefix}:{share.key}") == b"2"
    assert redis.get(f"{prefix}:{day.key}") == b"3"
    assert redis.get(f"{prefix}:{mine.usage_key}") == b"3"
    assert redis.smembers(f"{prefix}:{mine.days_key}") == {str(COMPANY_ID).encode()}
    # Every key expires: the hour's and day's just after their window, metering later.
    assert 0 < redis.ttl(f"{prefix}:{hour.key}") <= hour.ttl
    assert 0 < redis.ttl(f"{prefix}:{share.key}") <= share.ttl
    assert 0 < redis.ttl(f"{prefix}:{day.key}") <= day.ttl
    assert day.ttl < redis.ttl(f"{prefix}:{mine.usage_key}") <= USAGE_TTL
    assert store.peek(mine.limits) == (2, 2, 3)
    assert store.peek(colleague.limits) == (1, 1, 3)


@pytest.mark.redis
@pytest.mark.usefixtures("redis_counters")
def test_redis_store_refuses_by_share_and_daily_cap_without_metering(settings: Any) -> None:
    mine, colleague = windows("u1", daily=4), windows("u2", daily=4)  # share: 2 each
    store = counter_store()

    results = [store.hit_company(mine) for _ in range(3)]
    results += [store.hit_company(colleague) for _ in range(4)]

    assert results == [
        Hit(True, (1, 1, 1)),
        Hit(True, (2, 2, 2)),
        Hit(False, (2, 2, 2), "caller-daily"),  # the company has room: no marker
        Hit(True, (1, 1, 3)),
        Hit(True, (2, 2, 4)),
        # Named by the share, but the company's cap is used up too: the day's first.
        Hit(False, (2, 2, 4), "caller-daily", first_daily_refusal=True),
        Hit(False, (2, 2, 4), "caller-daily"),
    ]
    third = windows("k1", daily=4)
    assert store.hit_company(third) == Hit(False, (0, 0, 4), "company-daily")
    redis = get_redis_connection("default")
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    assert 0 < redis.ttl(f"{prefix}:{mine.daily_refused_key}") <= mine.company_day.ttl
    assert store.metered_for(COMPANY_ID, day_of(mine)) == 4
    assert store.metered(day_of(mine)) == {COMPANY_ID: 4}
    assert store.metered("20200101") == {}


@pytest.mark.redis
@pytest.mark.usefixtures("redis_counters")
def test_redis_store_limits_a_user_without_a_company_and_does_not_meter() -> None:
    window = user_window(user_id=USER_ID, hourly_limit=2)
    store = counter_store()

    hits = [store.hit_window(window) for _ in range(3)]

    assert hits == [Hit(True, (1,)), Hit(True, (2,)), Hit(False, (2,), "caller-hourly")]
    assert store.peek([window]) == (2,)
    assert store.metered(day_of(windows())) == {}


@pytest.mark.redis
@pytest.mark.usefixtures("redis_counters")
def test_redis_store_keeps_the_members_to_their_part_of_the_day(settings: Any) -> None:
    assert isinstance(counter_store(), RedisCounterStore)

    assert_members_share_the_part_of_the_day_left_to_them()

    members_day = windows(role=Role.MARKETER, daily=20).members_day
    redis = get_redis_connection("default")
    key = f"{settings.CACHES['default']['KEY_PREFIX']}:{members_day.key}"
    assert redis.get(key) == b"10"
    assert 0 < redis.ttl(key) <= members_day.ttl
