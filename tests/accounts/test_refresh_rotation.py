"""A refresh token rotates exactly once, however many requests use it at once (issue 7, item 7).

The refresh claims the token by inserting its blacklist row; the one-to-one key on the
outstanding token lets one insert succeed, and every other use answers 401.
"""

import time
from typing import Any

import pytest
from django_ratelimit.core import _get_window
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import BlacklistMixin, RefreshToken

from tests.accounts.factories import PASSWORD, UserFactory
from tests.concurrency import run_together

LOGIN = "/api/auth/login/"
REFRESH = "/api/auth/refresh/"
ME = "/api/auth/me/"


def login(user: Any) -> dict[str, str]:
    response = APIClient().post(LOGIN, {"email": user.email, "password": PASSWORD}, format="json")
    assert response.status_code == 200
    return response.json()


def refresh_with(token: str, **extra: str) -> Any:
    return APIClient().post(REFRESH, {"refresh": token}, format="json", **extra)


def assert_not_valid(response: Any) -> None:
    assert response.status_code == 401
    body = response.json()
    assert body["error"]["code"] == "token_not_valid"
    assert "access" not in body
    assert "refresh" not in body


def assert_pair_works(pair: dict[str, str]) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    assert client.get(ME).status_code == 200
    assert refresh_with(pair["refresh"]).status_code == 200


def jti_of(refresh: str) -> str:
    return RefreshToken(refresh, verify=False)["jti"]


# --- one request at a time -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_rotated_refresh_token_is_refused_the_second_time_and_issues_nothing():
    user = UserFactory()
    first = login(user)["refresh"]

    rotated = refresh_with(first)
    assert rotated.status_code == 200
    issued = OutstandingToken.objects.filter(user=user).count()

    assert_not_valid(refresh_with(first))
    assert OutstandingToken.objects.filter(user=user).count() == issued
    assert BlacklistedToken.objects.filter(token__jti=jti_of(first)).count() == 1
    assert_pair_works(rotated.json())


@pytest.mark.django_db
def test_the_insert_decides_when_both_requests_passed_the_blacklist_check(monkeypatch):
    # What two simultaneous refreshes both see: the token not blacklisted yet. Only the
    # claim's insert can then tell them apart, on SQLite as on PostgreSQL.
    user = UserFactory()
    first = login(user)["refresh"]
    monkeypatch.setattr(BlacklistMixin, "check_blacklist", lambda self: None)

    winner = refresh_with(first)
    loser = refresh_with(first)

    assert winner.status_code == 200
    assert_not_valid(loser)
    assert OutstandingToken.objects.filter(user=user).count() == 2  # the login's, the winner's


@pytest.mark.django_db
@pytest.mark.parametrize("change", ["deactivated", "deleted"])
def test_refresh_for_an_inactive_or_deleted_account_is_refused(change):
    user = UserFactory()
    refresh = login(user)["refresh"]
    if change == "deleted":
        user.delete()
    else:
        user.is_active = False
        user.save(update_fields=["is_active"])

    assert_not_valid(refresh_with(refresh))
    assert not BlacklistedToken.objects.exists()
    assert OutstandingToken.objects.count() == 1


@pytest.mark.django_db
def test_a_refresh_token_from_before_a_password_change_is_refused():
    # As if issued by a refresh racing the password change: not blacklisted, old hash.
    user = UserFactory()
    refresh = login(user)["refresh"]
    user.set_password("A-much-better-pass-42")
    user.save(update_fields=["password"])

    assert_not_valid(refresh_with(refresh))
    assert not BlacklistedToken.objects.exists()


@pytest.mark.django_db
def test_a_token_without_its_outstanding_row_still_rotates_once():
    user = UserFactory()
    refresh = login(user)["refresh"]
    OutstandingToken.objects.filter(jti=jti_of(refresh)).delete()

    assert refresh_with(refresh).status_code == 200
    assert_not_valid(refresh_with(refresh))


@pytest.mark.django_db
def test_an_access_token_is_not_a_refresh_token():
    user = UserFactory()
    assert_not_valid(refresh_with(login(user)["access"]))
    assert not BlacklistedToken.objects.exists()


@pytest.mark.django_db
def test_refresh_is_limited_per_ip_before_the_token_is_used(settings):
    settings.LOGIN_RATE_LIMIT = "3/m"
    settings.TRUSTED_PROXY_COUNT = 0
    user = UserFactory()
    refresh = login(user)["refresh"]
    client_ip, other_ip = "198.51.100.21", "198.51.100.22"
    # django-ratelimit's windows end at each key's own second: keep four requests in one.
    while any(_get_window(ip, 60) - time.time() < 3 for ip in (client_ip, other_ip)):
        time.sleep(0.2)

    attempts = [refresh_with("garbage", REMOTE_ADDR=client_ip) for _ in range(3)]
    fourth = refresh_with(refresh, REMOTE_ADDR=client_ip)

    assert [response.status_code for response in attempts] == [401, 401, 401]
    assert fourth.status_code == 429
    assert fourth.json()["error"]["code"] == "too_many_attempts"
    assert fourth["Retry-After"] == "60"
    assert not BlacklistedToken.objects.exists()
    assert refresh_with(refresh, REMOTE_ADDR=other_ip).status_code == 200


# --- at the same moment, on PostgreSQL ----------------------------------------------------------

THREADS = 9
ROUNDS = 5


def refresh_concurrently(token: str) -> list[Any]:
    outcomes = run_together(*[lambda: refresh_with(token)] * THREADS, timeout=30)
    assert [outcome.error for outcome in outcomes if not outcome.ok] == []
    return [outcome.value for outcome in outcomes]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_refreshes_with_one_token_make_exactly_one_pair():
    user = UserFactory()
    for _ in range(ROUNDS):
        token = login(user)["refresh"]
        before = OutstandingToken.objects.filter(user=user).count()

        responses = refresh_concurrently(token)

        winners = [response for response in responses if response.status_code == 200]
        losers = [response for response in responses if response.status_code != 200]
        assert len(winners) == 1, [response.status_code for response in responses]
        assert len(losers) == THREADS - 1
        for response in losers:
            assert_not_valid(response)
        # The losers issued nothing: one new refresh token, the winner's.
        assert OutstandingToken.objects.filter(user=user).count() == before + 1
        assert BlacklistedToken.objects.filter(token__jti=jti_of(token)).count() == 1
        assert_not_valid(refresh_with(token))
        assert_pair_works(winners[0].json())
