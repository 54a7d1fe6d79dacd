"""A logged-out access token stays refused whatever happens to the cache (issue 7, item 6).

The revocation is a database row with a cache marker in front: a flushed cache, an
unreachable one, or one that comes back after an outage never lets the token in again,
and a database that cannot answer refuses rather than guesses.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError, connection
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.state import token_backend
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import AccessToken
from rest_framework_simplejwt.utils import datetime_from_epoch

# The module, not the task: pytest's collection would evaluate the task's lazy proxy and
# finalize the Celery app before tests/config/test_celery.py defines its own tasks.
from apps.accounts import tasks
from apps.accounts.models import RevokedAccessToken
from apps.accounts.selectors import is_access_token_revoked
from apps.accounts.services import expired_tokens_prune, issue_token_pair
from apps.accounts.tokens import DENYLIST_KEY
from apps.usage.counters import reset_counter_store
from config.caches import caches_for
from tests.accounts.factories import PASSWORD, UserFactory
from tests.companies.factories import MembershipFactory

pytestmark = pytest.mark.django_db

LOGIN = "/api/auth/login/"
LOGOUT = "/api/auth/logout/"
COMPANY = "/api/company/"

# Nothing listens on port 1: a Redis there fails the way a down Redis does.
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def redis_cache(location: str) -> dict[str, Any]:
    """The caches at ``location``, configured as REDIS_URL configures production."""
    return caches_for(location, key_prefix="token-revocation-tests")


@contextmanager
def cache_unreachable() -> Iterator[None]:
    """The cache is down for the block, then the cache in use before comes back as it was."""
    reset_counter_store()
    try:
        with override_settings(CACHES=redis_cache(UNREACHABLE_REDIS)):
            reset_counter_store()
            yield
    finally:
        reset_counter_store()


class Session:
    """A member signed in through the API, holding the token pair it was given."""

    def __init__(self) -> None:
        self.membership = MembershipFactory()
        tokens = APIClient().post(
            LOGIN, {"email": self.membership.user.email, "password": PASSWORD}, format="json"
        )
        assert tokens.status_code == 200
        self.access = tokens.json()["access"]
        self.refresh = tokens.json()["refresh"]
        self.jti = AccessToken(self.access)["jti"]
        self.client = APIClient()
        self.client.credentials(HTTP_AUTHORIZATION=f"Bearer {self.access}")

    def logout(self) -> None:
        response = self.client.post(LOGOUT, {"refresh": self.refresh}, format="json")
        assert response.status_code == 204

    def assert_refused(self) -> None:
        response = self.client.get(COMPANY)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "token_revoked"
        assert "name" not in response.json()

    def assert_admitted(self) -> None:
        response = self.client.get(COMPANY)
        assert response.status_code == 200
        assert response.json()["id"] == self.membership.company_id


@pytest.fixture
def session() -> Session:
    return Session()


# --- the record ------------------------------------------------------------------------------


def test_logout_records_the_revocation_in_the_database_until_the_token_expires(session):
    session.logout()

    revoked = RevokedAccessToken.objects.get()
    assert revoked.jti == session.jti
    assert revoked.user_id == session.membership.user_id
    assert revoked.expires_at == datetime_from_epoch(AccessToken(session.access)["exp"])
    assert cache.get(DENYLIST_KEY.format(jti=session.jti)) is True


def test_a_token_that_was_never_logged_out_is_admitted(session):
    session.assert_admitted()
    assert is_access_token_revoked(session.jti) is False
    assert not RevokedAccessToken.objects.exists()


# --- losing the cache -----------------------------------------------------------------------


def test_a_cache_flush_does_not_bring_a_logged_out_token_back(session):
    session.logout()
    session.assert_refused()

    cache.clear()

    session.assert_refused()
    # The database's answer put the marker back in front.
    assert cache.get(DENYLIST_KEY.format(jti=session.jti)) is True


def test_logout_during_a_cache_outage_holds_once_the_cache_is_back(session):
    # Used while the cache is up: had "not revoked" been cached, it would still be there.
    session.assert_admitted()

    with cache_unreachable():
        session.logout()
        session.assert_refused()

    session.assert_refused()
    assert RevokedAccessToken.objects.filter(jti=session.jti).exists()


def test_a_token_logged_out_before_an_outage_stays_refused_during_it(session):
    session.logout()

    with cache_unreachable():
        session.assert_refused()


def test_a_cached_revocation_answers_without_asking_the_database(
    session, django_assert_num_queries
):
    session.logout()

    with django_assert_num_queries(0):
        assert is_access_token_revoked(session.jti) is True
    cache.clear()
    with django_assert_num_queries(1):
        assert is_access_token_revoked(session.jti) is True


def test_without_the_cache_a_failing_database_refuses_instead_of_admitting(session):
    session.assert_admitted()

    def revocation_table_down(execute, sql, params, many, context):
        if RevokedAccessToken._meta.db_table in sql:
            raise OperationalError("the database is unreachable")
        return execute(sql, params, many, context)

    cache.clear()
    with connection.execute_wrapper(revocation_table_down):
        response = session.client.get(COMPANY)

    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"
    assert "name" not in response.json()


@pytest.mark.redis
def test_flushing_the_real_redis_does_not_bring_a_logged_out_token_back(session):
    with override_settings(CACHES=redis_cache(settings.REDIS_URL)):
        reset_counter_store()
        server = redis.Redis.from_url(settings.REDIS_URL)
        try:
            session.logout()
            assert server.keys(f"*{DENYLIST_KEY.format(jti=session.jti)}")

            server.flushdb()  # only the database REDIS_URL names: this suite's own

            assert not server.keys(f"*{DENYLIST_KEY.format(jti=session.jti)}")
            session.assert_refused()
            assert server.keys(f"*{DENYLIST_KEY.format(jti=session.jti)}")
        finally:
            cache.clear()
            server.close()
    reset_counter_store()


# --- pruning ------------------------------------------------------------------------------------


def revoked_token(*, expires_in: timedelta) -> RevokedAccessToken:
    return RevokedAccessToken.objects.create(
        jti=f"jti-{RevokedAccessToken.objects.count()}", expires_at=timezone.now() + expires_in
    )


def outstanding_token(user: Any, *, expires_in: timedelta, blacklisted: bool) -> OutstandingToken:
    token = OutstandingToken.objects.create(
        user=user,
        jti=f"refresh-{OutstandingToken.objects.count()}",
        token="not-needed-here",
        created_at=timezone.now() - timedelta(days=8),
        expires_at=timezone.now() + expires_in,
    )
    if blacklisted:
        BlacklistedToken.objects.create(token=token)
    return token


def test_pruning_deletes_only_what_has_expired(user):
    expired = [revoked_token(expires_in=timedelta(minutes=-m)) for m in (1, 60)]
    live = [revoked_token(expires_in=timedelta(minutes=m)) for m in (1, 14)]
    old_refresh = [
        outstanding_token(user, expires_in=timedelta(hours=-1), blacklisted=flag)
        for flag in (True, False)
    ]
    live_refresh = [
        outstanding_token(user, expires_in=timedelta(days=1), blacklisted=flag)
        for flag in (True, False)
    ]

    summary = expired_tokens_prune()

    assert summary.revoked_access_tokens == len(expired)
    assert summary.outstanding_refresh_tokens == len(old_refresh)
    assert set(RevokedAccessToken.objects.all()) == set(live)
    assert set(OutstandingToken.objects.all()) == set(live_refresh)
    assert set(BlacklistedToken.objects.values_list("token", flat=True)) == {live_refresh[0].pk}

    again = expired_tokens_prune()
    assert (again.revoked_access_tokens, again.outstanding_refresh_tokens) == (0, 0)
    assert RevokedAccessToken.objects.count() == len(live)


def test_pruning_keeps_a_revocation_the_signing_leeway_still_needs(monkeypatch):
    # With a leeway, a token is still accepted that long after its expiry.
    monkeypatch.setattr(token_backend, "leeway", timedelta(seconds=30))
    within_leeway = revoked_token(expires_in=timedelta(seconds=-10))
    revoked_token(expires_in=timedelta(seconds=-40))

    assert expired_tokens_prune().revoked_access_tokens == 1
    assert list(RevokedAccessToken.objects.all()) == [within_leeway]


def test_a_pruned_session_token_is_refused_for_its_expiry():
    user = UserFactory()
    access = AccessToken.for_user(user)
    access.set_exp(lifetime=timedelta(seconds=-1))
    RevokedAccessToken.objects.create(
        jti=access["jti"], user=user, expires_at=datetime_from_epoch(access["exp"])
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")

    expired_tokens_prune()

    assert not RevokedAccessToken.objects.exists()
    response = client.get("/api/auth/me/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_not_valid"


def test_the_daily_task_prunes(user):
    revoked_token(expires_in=timedelta(minutes=-1))
    issue_token_pair(user)  # a live refresh token, kept

    result = tasks.prune_revoked_tokens.delay()

    assert result.get() == {"revoked_access_tokens": 1, "outstanding_refresh_tokens": 0}
    assert not RevokedAccessToken.objects.exists()
    assert OutstandingToken.objects.filter(user=user).count() == 1
    assert tasks.prune_revoked_tokens.name == "accounts.prune_revoked_tokens"


def test_beat_prunes_once_a_day():
    (entry,) = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "accounts.prune_revoked_tokens"
    ]
    schedule = entry["schedule"]

    assert schedule.hour == {3}
    assert schedule.minute == {30}
    assert schedule.day_of_week == set(range(7))
