"""Per-client-IP limits on the endpoints used before a company is known (django-ratelimit).

django-ratelimit counts in fixed windows (each key's window ends at its own second of the
minute), so each test first makes sure no window it uses is about to end: four requests
must not straddle two windows.
"""

import time
from typing import Any

import pytest
from django.test import RequestFactory
from django_ratelimit.core import _get_window
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.companies.models import Company
from apps.core.ip_limits import client_ip, rate_seconds
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

CLIENT = "198.51.100.7"
OTHER_CLIENT = "198.51.100.8"
LOAD_BALANCER = "10.0.0.2"


def in_a_fresh_window(*keys: str, period: int, margin: float = 3.0) -> None:
    """Wait, if need be, until no key's window ends within ``margin`` seconds."""
    while any(_get_window(key, period) - time.time() < margin for key in keys):
        time.sleep(0.2)


def login(client: APIClient, email: str, password: str, **extra: str) -> Any:
    return client.post(
        "/api/auth/login/", {"email": email, "password": password}, format="json", **extra
    )


def assert_too_many_attempts(response: Any, retry_after: int) -> None:
    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "too_many_attempts"
    assert error["message"]
    assert error["details"] == {"retry_after": retry_after}
    assert response["Retry-After"] == str(retry_after)


@pytest.fixture
def login_limit(settings: Any) -> None:
    settings.LOGIN_RATE_LIMIT = "3/m"
    settings.TRUSTED_PROXY_COUNT = 0


@pytest.fixture
def signup_limit(settings: Any) -> None:
    settings.SIGNUP_RATE_LIMIT = "2/h"
    settings.TRUSTED_PROXY_COUNT = 0


# --- login ------------------------------------------------------------------------------


@pytest.mark.usefixtures("login_limit")
def test_the_fourth_login_from_one_ip_in_a_minute_is_refused(api_client: APIClient) -> None:
    user = UserFactory()
    in_a_fresh_window(CLIENT, OTHER_CLIENT, period=60)

    attempts = [login(api_client, user.email, "wrong", REMOTE_ADDR=CLIENT) for _ in range(3)]
    fourth = login(api_client, user.email, PASSWORD, REMOTE_ADDR=CLIENT)
    from_elsewhere = login(api_client, user.email, PASSWORD, REMOTE_ADDR=OTHER_CLIENT)

    assert [response.status_code for response in attempts] == [401, 401, 401]
    # Refused before the password is even checked: the right one does not help.
    assert_too_many_attempts(fourth, retry_after=60)
    assert "access" not in fourth.json()
    assert from_elsewhere.status_code == 200
    assert "access" in from_elsewhere.json()


@pytest.mark.usefixtures("login_limit")
def test_a_forged_forwarded_for_is_ignored_without_trusted_proxies(
    api_client: APIClient,
) -> None:
    user = UserFactory()
    in_a_fresh_window(CLIENT, period=60)

    responses = [
        login(
            api_client, user.email, "wrong", REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR=f"10.9.9.{n}"
        )
        for n in range(4)
    ]

    assert [response.status_code for response in responses] == [401, 401, 401, 429]


@pytest.mark.usefixtures("login_limit")
def test_behind_one_trusted_proxy_the_forwarded_client_decides(
    api_client: APIClient, settings: Any
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    user = UserFactory()
    in_a_fresh_window(CLIENT, OTHER_CLIENT, period=60)

    def through_the_load_balancer(forwarded_for: str, password: str) -> Any:
        return login(
            api_client,
            user.email,
            password,
            REMOTE_ADDR=LOAD_BALANCER,
            HTTP_X_FORWARDED_FOR=forwarded_for,
        )

    attempts = [through_the_load_balancer(CLIENT, "wrong") for _ in range(3)]
    # The client prepends a made-up address; the proxy appended the real one.
    forged = through_the_load_balancer(f"203.0.113.99, {CLIENT}", PASSWORD)
    other_client = through_the_load_balancer(OTHER_CLIENT, PASSWORD)

    assert [response.status_code for response in attempts] == [401, 401, 401]
    assert_too_many_attempts(forged, retry_after=60)
    assert other_client.status_code == 200


def test_client_ip_trusts_exactly_the_configured_proxies(settings: Any) -> None:
    request = RequestFactory().get(
        "/", REMOTE_ADDR=LOAD_BALANCER, HTTP_X_FORWARDED_FOR="1.1.1.1, 2.2.2.2 , 3.3.3.3"
    )

    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(None, request) == LOAD_BALANCER
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(None, request) == "3.3.3.3"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(None, request) == "2.2.2.2"
    settings.TRUSTED_PROXY_COUNT = 4  # fewer addresses than proxies: not forwarded by them
    assert client_ip(None, request) == LOAD_BALANCER


def test_rate_seconds_is_the_window_of_a_rate() -> None:
    assert rate_seconds("3/m") == 60
    assert rate_seconds("10/h") == 3600
    assert rate_seconds("5/30s") == 30


# --- signups --------------------------------------------------------------------------------


def company_signup(client: APIClient, n: int, ip: str) -> Any:
    return client.post(
        "/api/signup/",
        {
            "company_name": f"Banana Island Homes {n}",
            "email": f"founder{n}@banana.ng",
            "password": "Strong-Pass-2026",
        },
        format="json",
        REMOTE_ADDR=ip,
    )


def marketer_signup(client: APIClient, n: int, ip: str) -> Any:
    return client.post(
        "/api/marketers/signup/",
        {"email": f"marketer{n}@sales.ng", "password": "Strong-Pass-2026"},
        format="json",
        REMOTE_ADDR=ip,
    )


@pytest.mark.usefixtures("signup_limit")
def test_company_signups_are_limited_per_ip(api_client: APIClient) -> None:
    in_a_fresh_window(CLIENT, OTHER_CLIENT, period=3600)

    allowed = [company_signup(api_client, n, CLIENT) for n in range(2)]
    refused = company_signup(api_client, 2, CLIENT)
    from_elsewhere = company_signup(api_client, 3, OTHER_CLIENT)

    assert [response.status_code for response in allowed] == [202, 202]
    # The window is an hour: the caller is told to wait up to an hour, not a minute.
    assert_too_many_attempts(refused, retry_after=3600)
    assert from_elsewhere.status_code == 202
    assert not Company.objects.filter(name="Banana Island Homes 2").exists()
    assert Company.objects.count() == 3


@pytest.mark.usefixtures("signup_limit")
def test_marketer_signups_are_limited_per_ip(api_client: APIClient) -> None:
    in_a_fresh_window(CLIENT, OTHER_CLIENT, period=3600)

    allowed = [marketer_signup(api_client, n, CLIENT) for n in range(2)]
    refused = marketer_signup(api_client, 2, CLIENT)
    from_elsewhere = marketer_signup(api_client, 3, OTHER_CLIENT)

    assert [response.status_code for response in allowed] == [202, 202]
    assert_too_many_attempts(refused, retry_after=3600)
    assert from_elsewhere.status_code == 202
    assert not User.objects.filter(email="marketer2@sales.ng").exists()


@pytest.mark.usefixtures("signup_limit")
def test_invalid_signups_count_too(api_client: APIClient) -> None:
    in_a_fresh_window(CLIENT, period=3600)

    invalid = [
        api_client.post("/api/signup/", {}, format="json", REMOTE_ADDR=CLIENT) for _ in range(2)
    ]
    valid = company_signup(api_client, 0, CLIENT)

    assert [response.status_code for response in invalid] == [400, 400]
    assert valid.status_code == 429
    assert not Company.objects.exists()


@pytest.mark.usefixtures("login_limit")
def test_per_ip_limits_add_no_company_rate_limit_headers(api_client: APIClient) -> None:
    user = UserFactory()
    in_a_fresh_window(CLIENT, period=60)

    responses = [login(api_client, user.email, PASSWORD, REMOTE_ADDR=CLIENT) for _ in range(4)]

    assert [response.status_code for response in responses] == [200, 200, 200, 429]
    assert not any("X-RateLimit-Limit" in response for response in responses)
