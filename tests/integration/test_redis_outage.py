"""With Redis down, the API keeps serving: logins, tenant requests and logouts work, the
tier limits fail open (the login limits keep counting in memory: see
tests/accounts/test_login_limits_redis_outage.py), and /readyz says the cache is the
problem."""

import pytest
from django.conf import settings
from django.test import override_settings

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
