"""With Redis down, the API keeps serving: logins, tenant requests and logouts work, the
tier limits fail open (the login limits keep counting in memory: see
tests/accounts/test_login_limits_redis_outage.py), and /readyz says the cache is the
problem."""

import logging

import pytest
from django.conf import settings
from django.test import override_settings

from apps.core.redis_cache import OUTAGE_LOGGER
from apps.usage.counters import reset_counter_store
from config.caches import caches_for
from tests.accounts.factories import PASSWORD
from tests.companies.factories import MembershipFactory

pytestmark = pytest.mark.django_db

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


def production_like_redis_cache(location: str) -> dict:
    """The caches exactly as the settings configure them for a REDIS_URL of ``location``."""
    return caches_for(location, key_prefix="estateapp")


@pytest.fixture
def redis_down():
    with override_settings(CACHES=production_like_redis_cache(UNREACHABLE_REDIS)):
        reset_counter_store()
        yield
    reset_counter_store()


def test_the_api_keeps_working_without_redis(redis_down, api_client):
    assert settings.CACHES["default"]["OPTIONS"]["IGNORE_EXCEPTIONS"] is True
    member = MembershipFactory()

    login = api_client.post(
        "/api/auth/login/", {"email": member.user.email, "password": PASSWORD}, format="json"
    )
    assert login.status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {login.json()['access']}")

    company = api_client.get("/api/company/")
    assert company.status_code == 200
    assert "X-RateLimit-Limit" not in company  # counters unreachable: not counted, served

    assert api_client.get("/api/plots/").status_code == 200
    logout = api_client.post(
        "/api/auth/logout/", {"refresh": login.json()["refresh"]}, format="json"
    )
    assert logout.status_code == 204

    ready = api_client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["failing"] == ["cache"]


def redis_outage_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if "Redis" in r.getMessage() or r.name == "django_redis"]


def test_an_outage_is_logged_once_a_minute_per_process_without_tracebacks(
    redis_down, api_client, caplog
):
    member = MembershipFactory()
    with caplog.at_level(logging.INFO):
        login = api_client.post(
            "/api/auth/login/", {"email": member.user.email, "password": PASSWORD}, format="json"
        )
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {login.json()['access']}")
        statuses = [api_client.get("/api/company/").status_code for _ in range(6)]

    assert statuses == [200] * 6
    records = redis_outage_records(caplog)
    # One line from each part that noticed (the cache, the login limits, the API limits),
    # whatever the number of requests, and not one traceback.
    assert all(record.exc_info is None for record in caplog.records)
    cache_lines = [r for r in records if r.name == "apps.core.redis_cache"]
    assert len(cache_lines) == 1
    assert (
        cache_lines[0]
        .getMessage()
        .startswith("Redis unreachable for the cache; serving cache misses until it answers: ")
    )
    assert len(records) == len({record.name for record in records})

    caplog.clear()
    OUTAGE_LOGGER.reports.pretend_elapsed()
    with caplog.at_level(logging.INFO):
        api_client.get("/api/company/")
    assert [r.name for r in redis_outage_records(caplog)] == ["apps.core.redis_cache"]
