"""Logins limited per account (the API's and the admin's together) and the admin login per IP;
a new password (reset or changed) opens an account that someone else's guesses locked.

Each test freezes the clock (time-machine), so no django-ratelimit window ends halfway
through it; moving the clock past the window is how a lockout is shown to end.
"""

import time
from typing import Any

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from apps.accounts.services import user_grant_billing_staff
from tests.accounts.factories import PASSWORD, UserFactory
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

CLIENT = "198.51.100.20"
OTHER_CLIENT = "198.51.100.21"
FIFTEEN_MINUTES = 15 * 60
WRONG_PASSWORD = "Please enter the correct email and password for a staff account."
LOCKED_FOR_15_MINUTES = "Too many login attempts. For your security, try again in 15 minutes."
LOCKED_FOR_60_MINUTES = "Too many login attempts. For your security, try again in 60 minutes."
LOCKED_FOR_A_MINUTE = "Too many login attempts. For your security, try again in 1 minute."
NEW_PASSWORD = "Fresh-Lagos-Pass-77"


@pytest.fixture
def frozen_clock(time_machine: Any) -> Any:
    time_machine.move_to(time.time(), tick=False)
    return time_machine


def billing_staff() -> Any:
    staff = UserFactory()
    user_grant_billing_staff(user_id=staff.pk)
    return staff


def admin_login(email: str, password: str, ip: str = CLIENT) -> Any:
    """A fresh browser posting the real admin login form."""
    return Client().post(
        "/admin/login/?next=/admin/",
        {"username": email, "password": password},
        REMOTE_ADDR=ip,
    )


def api_login(email: str, password: str, ip: str = CLIENT) -> Any:
    return APIClient().post(
        "/api/auth/login/", {"email": email, "password": password}, format="json", REMOTE_ADDR=ip
    )


def reset_password(user: Any, new_password: str, token: str | None = None) -> Any:
    """Confirm a password reset with the emailed link's uid and token."""
    return APIClient().post(
        "/api/auth/password/reset/confirm/",
        {
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": token or default_token_generator.make_token(user),
            "new_password": new_password,
        },
        format="json",
        REMOTE_ADDR=CLIENT,
    )


def lock_out(email: str, attempts: int = 10) -> None:
    """Someone else's wrong guesses, each from an address of its own."""
    responses = [api_login(email, "not-the-password", ip=f"203.0.113.{n}") for n in range(attempts)]
    assert [response.status_code for response in responses] == [401] * attempts


def assert_logged_in(response: Any, user: Any) -> None:
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == "/admin/"
    assert response.wsgi_request.user == user


def assert_refused(response: Any, message: str) -> None:
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def assert_api_locked_out(response: Any, retry_after: int) -> None:
    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "too_many_attempts"
    assert error["message"].startswith("Too many login attempts.")
    assert error["details"] == {"retry_after": retry_after}
    assert response["Retry-After"] == str(retry_after)
    assert "access" not in response.json()


# --- the admin login ----------------------------------------------------------------------


def test_forty_wrong_admin_passwords_lock_the_account_until_the_window_ends(
    settings: Any, frozen_clock: Any
) -> None:
    settings.LOGIN_ACCOUNT_RATE_LIMIT = "10/15m"
    staff = billing_staff()
    colleague = billing_staff()

    wrong = [admin_login(staff.email, "not-the-password") for _ in range(40)]
    right = admin_login(staff.email, PASSWORD)
    right_from_elsewhere = admin_login(staff.email, PASSWORD, ip=OTHER_CLIENT)

    for response in wrong[:10]:
        assert_refused(response, WRONG_PASSWORD)
    for response in wrong[10:]:
        assert_refused(response, LOCKED_FOR_15_MINUTES)
    # Refused before the password is checked: the right one does not help, nor a new address.
    assert_refused(right, LOCKED_FOR_15_MINUTES)
    assert_refused(right_from_elsewhere, LOCKED_FOR_15_MINUTES)
    # Another account is unaffected, from this address or another.
    assert_logged_in(admin_login(colleague.email, PASSWORD), colleague)
    assert_logged_in(admin_login(colleague.email, PASSWORD, ip=OTHER_CLIENT), colleague)

    frozen_clock.shift(FIFTEEN_MINUTES)

    assert_logged_in(admin_login(staff.email, PASSWORD), staff)


def test_the_account_is_the_normalized_email_typed(settings: Any, frozen_clock: Any) -> None:
    settings.LOGIN_ACCOUNT_RATE_LIMIT = "3/15m"
    staff = billing_staff()

    variants = [staff.email.upper(), f"  {staff.email} ", staff.email.title()]
    wrong = [admin_login(email, "not-the-password") for email in variants]

    for response in wrong:
        assert_refused(response, WRONG_PASSWORD)
    assert_refused(admin_login(staff.email, PASSWORD), LOCKED_FOR_15_MINUTES)


def test_admin_logins_are_limited_per_client_ip(settings: Any, frozen_clock: Any) -> None:
    settings.ADMIN_LOGIN_RATE_LIMIT = "5/m"
    staff = billing_staff()

    # Showing the form costs nothing; only posting it is an attempt.
    assert all(Client().get("/admin/login/", REMOTE_ADDR=CLIENT).status_code == 200 for _ in "abc")
    # Guessing across accounts: each account sees one attempt, the address all five.
    sprayed = [admin_login(f"guess{n}@estateapp.demo", "Summer2026!") for n in range(5)]
    from_this_address = admin_login(staff.email, PASSWORD)
    from_another = admin_login(staff.email, PASSWORD, ip=OTHER_CLIENT)

    for response in sprayed:
        assert_refused(response, WRONG_PASSWORD)
    assert_refused(from_this_address, LOCKED_FOR_A_MINUTE)
    assert_logged_in(from_another, staff)

    frozen_clock.shift(60)

    assert_logged_in(admin_login(staff.email, PASSWORD), staff)


def test_an_address_over_its_limit_does_not_use_up_the_accounts_attempts(
    settings: Any, frozen_clock: Any
) -> None:
    settings.ADMIN_LOGIN_RATE_LIMIT = "2/h"
    settings.LOGIN_ACCOUNT_RATE_LIMIT = "3/15m"
    staff = billing_staff()

    attempts = [admin_login(staff.email, "not-the-password") for _ in range(10)]

    for response in attempts[:2]:
        assert_refused(response, WRONG_PASSWORD)
    for response in attempts[2:]:
        assert_refused(response, LOCKED_FOR_60_MINUTES)
    # Two of the account's three attempts used: its owner still gets in from elsewhere.
    assert_logged_in(admin_login(staff.email, PASSWORD, ip=OTHER_CLIENT), staff)


# --- the API login, per account ---------------------------------------------------------------


def test_api_logins_are_limited_per_account_from_any_address(
    settings: Any, frozen_clock: Any
) -> None:
    settings.LOGIN_ACCOUNT_RATE_LIMIT = "3/m"
    user = UserFactory()
    other = UserFactory()

    wrong = [api_login(user.email, "not-the-password") for _ in range(3)]
    right_from_elsewhere = api_login(user.email, PASSWORD, ip=OTHER_CLIENT)
    other_account = api_login(other.email, PASSWORD)

    assert [response.status_code for response in wrong] == [401, 401, 401]
    assert_api_locked_out(right_from_elsewhere, retry_after=60)
    assert other_account.status_code == 200

    frozen_clock.shift(60)

    assert "access" in api_login(user.email, PASSWORD).json()


def test_an_unknown_email_locks_out_the_same_way(settings: Any, frozen_clock: Any) -> None:
    """The lockout does not tell which emails have accounts."""
    settings.LOGIN_ACCOUNT_RATE_LIMIT = "2/m"
    user = UserFactory()

    known = [api_login(user.email, "not-the-password") for _ in range(3)]
    unknown = [api_login("nobody@example.ng", "not-the-password") for _ in range(3)]

    assert [response.status_code for response in known] == [401, 401, 429]
    assert [response.status_code for response in unknown] == [401, 401, 429]
    assert known[2].json() == unknown[2].json()
    assert_api_locked_out(unknown[2], retry_after=60)


def test_the_api_and_the_admin_share_the_accounts_attempts(
    settings: Any, frozen_clock: Any
) -> None:
    settings.LOGIN_ACCOUNT_RATE_LIMIT = "4/15m"
    staff = billing_staff()

    through_the_api = [api_login(staff.email.upper(), "not-the-password") for _ in range(2)]
    through_the_admin = [admin_login(staff.email, "not-the-password") for _ in range(2)]

    assert [response.status_code for response in through_the_api] == [401, 401]
    for response in through_the_admin:
        assert_refused(response, WRONG_PASSWORD)
    assert_api_locked_out(api_login(staff.email, PASSWORD), retry_after=FIFTEEN_MINUTES)
    assert_refused(admin_login(staff.email, PASSWORD), LOCKED_FOR_15_MINUTES)


# --- a new password opens the account ---------------------------------------------------------


def test_a_password_reset_opens_an_account_that_someone_else_locked(
    settings: Any, frozen_clock: Any, commit: Any
) -> None:
    """As reported: 10 wrong passwords locked the account for 15 minutes; the owner reset
    the password (204), and the new one was still refused (429)."""
    settings.LOGIN_ACCOUNT_RATE_LIMIT = "10/15m"
    user = UserFactory()
    other = UserFactory()
    lock_out(user.email)
    lock_out(other.email)
    assert_api_locked_out(api_login(user.email, PASSWORD), retry_after=FIFTEEN_MINUTES)

    with commit():
        reset = reset_password(user, NEW_PASSWORD)
    logged_in = api_login(user.email, NEW_PASSWORD)

    assert reset.status_code == 204
    assert logged_in.status_code == 200
    assert "access" in logged_in.json()
    # The account has a fresh count: ten attempts, then locked again.
    lock_out(user.email, attempts=9)
    assert_api_locked_out(api_login(user.email, NEW_PASSWORD), retry_after=FIFTEEN_MINUTES)
    # Another account's lockout is its own.
    assert_api_locked_out(api_login(other.email, PASSWORD), retry_after=FIFTEEN_MINUTES)


def test_a_reset_opens_the_admin_login_of_a_staff_account_kept_locked(
    settings: Any, frozen_clock: Any, commit: Any
) -> None:
    """As reported: ten guesses a window (one every 90 seconds) keep a staff account
    locked out of /admin/, and a password reset did not help."""
    settings.LOGIN_ACCOUNT_RATE_LIMIT = "10/15m"
    staff = billing_staff()
    for n in range(10):
        guess = admin_login(staff.email, "not-the-password", ip=f"203.0.113.{n}")
        assert_refused(guess, WRONG_PASSWORD)
    assert_refused(admin_login(staff.email, PASSWORD), LOCKED_FOR_15_MINUTES)

    with commit():
        assert reset_password(staff, NEW_PASSWORD).status_code == 204

    assert_refused(admin_login(staff.email, PASSWORD), WRONG_PASSWORD)
    assert_logged_in(admin_login(staff.email, NEW_PASSWORD), staff)


def test_the_old_password_gets_no_fresh_attempts_before_the_new_one_is_stored(
    settings: Any, frozen_clock: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.LOGIN_ACCOUNT_RATE_LIMIT = "10/15m"
    user = UserFactory()
    lock_out(user.email)

    # Asking for a link, a link that is wrong and a new password that breaks the rules
    # change nothing.
    with django_capture_on_commit_callbacks(execute=True):
        asked = APIClient().post("/api/auth/password/reset/", {"email": user.email}, format="json")
        bad_link = reset_password(user, NEW_PASSWORD, token="1-not-a-token")
        weak = reset_password(user, "short")
    assert (asked.status_code, bad_link.status_code, weak.status_code) == (202, 400, 400)
    assert_api_locked_out(api_login(user.email, PASSWORD), retry_after=FIFTEEN_MINUTES)

    # The lock is cleared when the new password is committed, not before.
    with django_capture_on_commit_callbacks(execute=False) as pending:
        assert reset_password(user, NEW_PASSWORD).status_code == 204
    assert_api_locked_out(api_login(user.email, PASSWORD), retry_after=FIFTEEN_MINUTES)
    for callback in pending:
        callback()

    assert api_login(user.email, PASSWORD).status_code == 401
    assert api_login(user.email, NEW_PASSWORD).status_code == 200


def test_changing_the_password_opens_the_account(
    settings: Any, frozen_clock: Any, commit: Any
) -> None:
    """The owner, still signed in elsewhere, changes the password while locked out."""
    settings.LOGIN_ACCOUNT_RATE_LIMIT = "10/15m"
    user = UserFactory()
    signed_in = client_for(user)
    lock_out(user.email)

    with commit():
        wrong_current = signed_in.post(
            "/api/auth/password/change/",
            {"current_password": "not-the-password", "new_password": NEW_PASSWORD},
            format="json",
        )
    assert wrong_current.status_code == 400
    assert_api_locked_out(api_login(user.email, PASSWORD), retry_after=FIFTEEN_MINUTES)

    with commit():
        changed = signed_in.post(
            "/api/auth/password/change/",
            {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
            format="json",
        )

    assert changed.status_code == 200
    assert api_login(user.email, NEW_PASSWORD).status_code == 200
