"""The login-type limits keep limiting while Redis is unreachable (they count in the
process's memory meanwhile), and count in Redis when it is there.

The caches are configured exactly as REDIS_URL configures them (config/caches.py). Each
test freezes the clock, so no django-ratelimit window ends halfway through it.
"""

import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.conf import settings as django_settings
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import caches
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from apps.accounts.services import user_grant_billing_staff
from apps.usage.counters import reset_counter_store
from config.caches import LIMITS_CACHE, caches_for
from tests.accounts.factories import PASSWORD, UserFactory
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: a Redis there fails the way a down Redis does.
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"
KEY_PREFIX = "login-limit-tests"
CLIENT = "198.51.100.30"
OTHER_CLIENT = "198.51.100.31"
FIFTEEN_MINUTES = 15 * 60
NEW_PASSWORD = "Fresh-Lagos-Pass-77"
LOCKED_FOR_15_MINUTES = "Too many login attempts. For your security, try again in 15 minutes."
LOCKED_FOR_A_MINUTE = "Too many login attempts. For your security, try again in 1 minute."


@pytest.fixture
def frozen_clock(time_machine: Any) -> Any:
    time_machine.move_to(time.time(), tick=False)
    return time_machine


def use_caches_at(settings: Any, location: str) -> Iterator[None]:
    settings.CACHES = caches_for(location, key_prefix=KEY_PREFIX)
    # The API throttle keeps the counter store it chose; let it choose again.
    reset_counter_store()
    yield
    reset_counter_store()


@pytest.fixture
def redis_down(settings: Any) -> Iterator[None]:
    """Redis unreachable, the caches configured as production configures them."""
    yield from use_caches_at(settings, UNREACHABLE_REDIS)


@pytest.fixture
def real_redis(settings: Any) -> Iterator[redis.Redis]:
    """The caches on the real Redis at REDIS_URL (use with ``@pytest.mark.redis``)."""
    for _ in use_caches_at(settings, django_settings.REDIS_URL):
        caches[LIMITS_CACHE].clear()
        yield redis.Redis.from_url(django_settings.REDIS_URL)
        caches[LIMITS_CACHE].clear()


def fallback_logs(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "apps.core.fallback_cache"]


def api_login(email: str, password: str, ip: str = CLIENT) -> Any:
    return APIClient().post(
        "/api/auth/login/", {"email": email, "password": password}, format="json", REMOTE_ADDR=ip
    )


def admin_login(email: str, password: str, ip: str = CLIENT) -> Any:
    return Client().post(
        "/admin/login/?next=/admin/", {"username": email, "password": password}, REMOTE_ADDR=ip
    )


def statuses(responses: list[Any]) -> list[int]:
    return [response.status_code for response in responses]


def assert_api_locked_out(response: Any, retry_after: int) -> None:
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "too_many_attempts"
    assert response["Retry-After"] == str(retry_after)
    assert "access" not in response.json()


def assert_admin_refused(response: Any, message: str) -> None:
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


# --- Redis down -----------------------------------------------------------------------------


@pytest.mark.usefixtures("redis_down", "frozen_clock")
def test_wrong_passwords_still_lock_the_account_while_redis_is_down(
    settings: Any, caplog: pytest.LogCaptureFixture, commit: Any
) -> None:
    """As reported: with Redis down, 30 wrong passwords all got 401 and the right one then
    logged in."""
    settings.LOGIN_ACCOUNT_RATE_LIMIT = "10/15m"
    user = UserFactory()

    with caplog.at_level(logging.ERROR):
        wrong = [api_login(user.email, "not-the-password", ip=f"203.0.113.{n}") for n in range(30)]
        right = api_login(user.email, PASSWORD, ip=OTHER_CLIENT)

    assert statuses(wrong) == [401] * 10 + [429] * 20
    assert_api_locked_out(right, retry_after=FIFTEEN_MINUTES)
    # The fallback is logged once, not on every attempt.
    [logged] = fallback_logs(caplog)
    assert "counting in this process's memory" in logged.getMessage()
    # A password reset still opens the account.
    with commit():
        reset = APIClient().post(
            "/api/auth/password/reset/confirm/",
            {
                "uid": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
                "new_password": NEW_PASSWORD,
            },
            format="json",
        )
    assert reset.status_code == 204
    assert api_login(user.email, NEW_PASSWORD).status_code == 200


@pytest.mark.usefixtures("redis_down", "frozen_clock")
def test_logins_are_still_limited_per_client_ip_while_redis_is_down(settings: Any) -> None:
    settings.LOGIN_RATE_LIMIT = "3/m"
    settings.TRUSTED_PROXY_COUNT = 0
    users = UserFactory.create_batch(4)

    guesses = [api_login(user.email, "not-the-password") for user in users[:3]]
    right = api_login(users[3].email, PASSWORD)
    from_elsewhere = api_login(users[3].email, PASSWORD, ip=OTHER_CLIENT)

    assert statuses(guesses) == [401, 401, 401]
    assert right.status_code == 429
    assert right["Retry-After"] == "60"
    assert from_elsewhere.status_code == 200


@pytest.mark.usefixtures("redis_down", "frozen_clock")
def test_the_admin_login_is_still_limited_while_redis_is_down(settings: Any) -> None:
    settings.ADMIN_LOGIN_RATE_LIMIT = "5/m"
    settings.LOGIN_ACCOUNT_RATE_LIMIT = "3/15m"
    staff, colleague = UserFactory(), UserFactory()
    for person in (staff, colleague):
        user_grant_billing_staff(user_id=person.pk)

    per_account = [
        admin_login(staff.email, "not-the-password", ip=f"203.0.113.{n}") for n in range(3)
    ]
    locked = admin_login(staff.email, PASSWORD, ip=OTHER_CLIENT)
    sprayed = [admin_login(f"guess{n}@estateapp.demo", "Summer2026!") for n in range(5)]
    per_address = admin_login(colleague.email, PASSWORD)

    assert all(not response.wsgi_request.user.is_authenticated for response in per_account)
    assert_admin_refused(locked, LOCKED_FOR_15_MINUTES)
    assert all(not response.wsgi_request.user.is_authenticated for response in sprayed)
    assert_admin_refused(per_address, LOCKED_FOR_A_MINUTE)
    assert admin_login(colleague.email, PASSWORD, ip=OTHER_CLIENT).status_code == 302


@pytest.mark.parametrize(
    ("path", "body", "first_status"),
    [
        ("/api/auth/refresh/", {"refresh": "not-a-token"}, 401),
        ("/api/auth/password/reset/", {"email": "someone@example.ng"}, 202),
        (
            "/api/auth/password/reset/confirm/",
            {"uid": "MQ", "token": "not-a-token", "new_password": NEW_PASSWORD},
            400,
        ),
        ("/api/signup/", {}, 400),
        ("/api/marketers/signup/", {}, 400),
    ],
)
@pytest.mark.usefixtures("redis_down", "frozen_clock")
def test_every_limit_per_client_ip_still_limits_while_redis_is_down(
    settings: Any, path: str, body: dict[str, Any], first_status: int
) -> None:
    settings.LOGIN_RATE_LIMIT = settings.SIGNUP_RATE_LIMIT = "2/m"
    settings.PASSWORD_RESET_RATE_LIMIT = "2/m"
    settings.TRUSTED_PROXY_COUNT = 0
    client = APIClient()

    responses = [client.post(path, body, format="json", REMOTE_ADDR=CLIENT) for _ in range(3)]
    from_elsewhere = client.post(path, body, format="json", REMOTE_ADDR=OTHER_CLIENT)

    assert statuses(responses) == [first_status, first_status, 429]
    assert responses[-1].json()["error"]["code"] == "too_many_attempts"
    assert from_elsewhere.status_code == first_status


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (
            "/api/auth/password/change/",
            {"current_password": "not-the-password", "new_password": NEW_PASSWORD},
        ),
        ("/api/auth/email/verify/", {"token": "not-a-token"}),
    ],
)
@pytest.mark.usefixtures("redis_down", "frozen_clock")
def test_signed_in_limits_per_client_ip_still_limit_while_redis_is_down(
    settings: Any, path: str, body: dict[str, Any]
) -> None:
    settings.LOGIN_RATE_LIMIT = "2/m"
    settings.TRUSTED_PROXY_COUNT = 0
    signed_in = client_for(UserFactory())

    responses = [signed_in.post(path, body, format="json", REMOTE_ADDR=CLIENT) for _ in range(3)]

    assert statuses(responses) == [400, 400, 429]


# --- Redis up -------------------------------------------------------------------------------


@pytest.mark.redis
@pytest.mark.usefixtures("frozen_clock")
def test_the_limits_count_in_redis_when_it_is_up(
    settings: Any, real_redis: redis.Redis, caplog: pytest.LogCaptureFixture, commit: Any
) -> None:
    settings.LOGIN_ACCOUNT_RATE_LIMIT = "3/15m"
    user = UserFactory()

    with caplog.at_level(logging.ERROR):
        wrong = [api_login(user.email, "not-the-password", ip=f"203.0.113.{n}") for n in range(3)]
        locked = api_login(user.email, PASSWORD)
        counted_in_redis = real_redis.keys(f"{KEY_PREFIX}:*")
        with commit():
            reset = APIClient().post(
                "/api/auth/password/reset/confirm/",
                {
                    "uid": urlsafe_base64_encode(force_bytes(user.pk)),
                    "token": default_token_generator.make_token(user),
                    "new_password": NEW_PASSWORD,
                },
                format="json",
            )
        after_reset = api_login(user.email, NEW_PASSWORD)

    assert statuses(wrong) == [401, 401, 401]
    assert_api_locked_out(locked, retry_after=FIFTEEN_MINUTES)
    # The counters (per IP and per account) and the account's epoch are in Redis, shared
    # by every process; nothing fell back to memory.
    assert counted_in_redis
    assert fallback_logs(caplog) == []
    assert reset.status_code == 204
    assert after_reset.status_code == 200
    assert any(b"login-account-epoch" in key for key in real_redis.keys(f"{KEY_PREFIX}:*"))
