"""Checking a cached sign-in (its version, the token's revocation) and counting the
request against the limits in one atomic step: one round trip on a warm request, and
nothing counted when the check fails."""

from typing import Any

import pytest
from django.core.cache import cache
from redis.client import Redis

from apps.accounts.tokens import DENYLIST_KEY, DENYLIST_LOADED_KEY
from apps.companies.services import membership_change_role
from apps.core.auth_versions import auth_version_key
from apps.core.roles import Role
from apps.usage.counters import Guard, company_windows, counter_store
from tests.companies.factories import MembershipFactory
from tests.conftest import client_for

ME = "/api/auth/me/"
CLIENTS = "/api/clients/"
USER_ID = 7
COMPANY_ID = 41


def windows() -> Any:
    return company_windows(
        company_id=COMPANY_ID,
        caller=f"u{USER_ID}",
        role=Role.COMPANY_ADMIN,
        hourly_limit=100,
        daily_limit=1000,
    )


def guard(version: str = "v1", jti: str = "j1") -> Guard:
    return Guard(
        equal=((auth_version_key(USER_ID), version),),
        absent=(DENYLIST_KEY.format(jti=jti),),
        present=(DENYLIST_LOADED_KEY,),
    )


def signed_in_state(version: str = "v1") -> None:
    cache.set(auth_version_key(USER_ID), version)
    cache.set(DENYLIST_LOADED_KEY, True)


def counted() -> tuple[int, ...]:
    return counter_store().peek(windows().limits)


def check_store() -> None:
    signed_in_state()
    hit = counter_store().hit_company(windows(), guard())
    assert hit is not None and hit.admitted and counted() == (1, 1, 1)
    # Another version (the account or its tenant changed): nothing counted.
    assert counter_store().hit_company(windows(), guard(version="v0")) is None
    # The token revoked.
    cache.set(DENYLIST_KEY.format(jti="j1"), True)
    assert counter_store().hit_company(windows(), guard()) is None
    # The denylist not known to be loaded: the table must answer first.
    cache.delete(DENYLIST_LOADED_KEY)
    assert counter_store().hit_company(windows(), guard(jti="j2")) is None
    assert counted() == (1, 1, 1)
    # Without a guard, counting is as before.
    assert counter_store().hit_company(windows()).admitted and counted() == (2, 2, 2)


@pytest.mark.usefixtures("local_counters")
def test_the_local_store_counts_only_while_the_guard_holds() -> None:
    check_store()


@pytest.mark.redis
@pytest.mark.usefixtures("redis_counters")
def test_the_redis_store_counts_only_while_the_guard_holds() -> None:
    check_store()


@pytest.fixture
def round_trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The commands sent to Redis (each one round trip)."""
    sent: list[str] = []
    original = Redis.execute_command

    def execute_command(self: Redis, *args: Any, **options: Any) -> Any:
        sent.append(str(args[0]))
        return original(self, *args, **options)

    monkeypatch.setattr(Redis, "execute_command", execute_command)
    return sent


@pytest.mark.redis
@pytest.mark.usefixtures("redis_counters")
def test_a_warm_request_signs_in_and_counts_in_one_round_trip(
    db: Any, plans_cached: None, round_trips: list[str], django_assert_num_queries: Any
) -> None:
    member = MembershipFactory(role="company_admin")
    api = client_for(member.user)
    assert api.get(ME).status_code == 200
    round_trips.clear()
    with django_assert_num_queries(0):
        response = api.get(ME)
    assert response.status_code == 200
    # The sign-in, its revocation and the limits: one script. Then the view's own read
    # of the memberships it shows.
    assert round_trips == ["EVALSHA", "MGET"]
    assert response["X-RateLimit-Remaining"]  # the throttle answered from that step


@pytest.mark.redis
@pytest.mark.usefixtures("redis_counters")
def test_a_logout_is_refused_next_and_the_refused_request_is_not_counted(db: Any) -> None:
    member = MembershipFactory(role="company_admin")
    api = client_for(member.user)
    assert api.get(ME).status_code == 200
    remaining = int(api.get(ME)["X-RateLimit-Remaining"])
    access = api._credentials["HTTP_AUTHORIZATION"].split()[1]
    from rest_framework_simplejwt.tokens import AccessToken

    from apps.accounts.tokens import revoke_access_token

    revoke_access_token(AccessToken(access).payload)
    response = api.get(ME)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_revoked"
    other = client_for(member.user)  # a new token of the same account: same windows
    assert int(other.get(ME)["X-RateLimit-Remaining"]) == remaining - 1


@pytest.mark.redis
@pytest.mark.usefixtures("redis_counters")
def test_a_role_change_is_seen_next_even_by_a_warm_process(db: Any) -> None:
    member = MembershipFactory(role="company_admin")
    MembershipFactory(company=member.company, role="company_admin")
    api = client_for(member.user)
    assert api.get(CLIENTS).status_code == 200
    assert api.get(CLIENTS).status_code == 200
    membership_change_role(company_id=member.company_id, membership_id=member.pk, role="marketer")
    assert api.get(CLIENTS).status_code == 403
    assert api.get(ME).json()["roles"] == ["marketer"]


@pytest.mark.parametrize("warm", [False, True])
def test_a_request_refused_by_a_permission_is_counted_cold_or_warm(
    db: Any, local_counters: None, warm: bool
) -> None:
    # Counted once the caller is known, before the permission checks, whichever path
    # authenticated it: the same answer from a cold process as from a warm one.
    member = MembershipFactory(role="marketer")
    api = client_for(member.user)
    first = api.get(ME)
    if warm:
        api.get(ME)
    before = int(api.get(ME)["X-RateLimit-Remaining"])
    if not warm:
        from apps.companies.auth_snapshot import forget_recent_entries

        forget_recent_entries()
    assert api.get(CLIENTS).status_code == 403
    after = int(api.get(ME)["X-RateLimit-Remaining"])
    assert first.status_code == 200 and after == before - 2
