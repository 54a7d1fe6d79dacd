"""Password reset by email, through Django's SMTP backend to a real SMTP server."""

import re

import pytest
from rest_framework.test import APIClient

from apps.accounts.services import issue_token_pair
from tests.accounts.factories import PASSWORD, UserFactory
from tests.accounts.smtp import SMTPServer

pytestmark = pytest.mark.django_db

RESET = "/api/auth/password/reset/"
CONFIRM = "/api/auth/password/reset/confirm/"
NEW_PASSWORD = "Fresh-Lagos-Pass-77"


@pytest.fixture
def smtp(settings):
    with SMTPServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        settings.FRONTEND_URL = "https://app.estateapp.example"
        yield server


def ask_for_reset(client, email, capture):
    with capture(execute=True):
        return client.post(RESET, {"email": email}, format="json")


def link_from(message):
    body = message.get_payload(decode=True).decode()
    match = re.search(
        r"https://app\.estateapp\.example/reset-password\?uid=(\S+)&token=(\S+)", body
    )
    assert match, body
    return match.group(1), match.group(2)


def test_reset_email_arrives_and_sets_a_new_password(
    smtp, api_client, django_capture_on_commit_callbacks
):
    user = UserFactory(email="ngozi@example.ng")
    old_refresh = issue_token_pair(user).refresh

    response = ask_for_reset(api_client, "Ngozi@Example.ng", django_capture_on_commit_callbacks)

    assert response.status_code == 202
    [message] = smtp.inbox.messages
    assert message["To"] == "ngozi@example.ng"
    assert "password" in message["Subject"].lower()
    uid, token = link_from(message)

    confirmed = api_client.post(
        CONFIRM, {"uid": uid, "token": token, "new_password": NEW_PASSWORD}, format="json"
    )
    assert confirmed.status_code == 204
    login = api_client.post(
        "/api/auth/login/", {"email": user.email, "password": NEW_PASSWORD}, format="json"
    )
    assert login.status_code == 200
    # Sessions from before the reset are over, and the link works only once.
    assert (
        api_client.post("/api/auth/refresh/", {"refresh": old_refresh}, format="json").status_code
        == 401
    )
    again = api_client.post(
        CONFIRM, {"uid": uid, "token": token, "new_password": "Another-Pass-2026"}, format="json"
    )
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "invalid_reset_link"


def test_unknown_email_gets_the_same_answer_and_no_email(
    smtp, api_client, django_capture_on_commit_callbacks
):
    UserFactory(email="known@example.ng")
    unknown = ask_for_reset(api_client, "unknown@example.ng", django_capture_on_commit_callbacks)
    inactive_user = UserFactory(is_active=False)
    inactive = ask_for_reset(api_client, inactive_user.email, django_capture_on_commit_callbacks)
    known = ask_for_reset(api_client, "known@example.ng", django_capture_on_commit_callbacks)

    assert unknown.status_code == inactive.status_code == known.status_code == 202
    assert unknown.content == known.content
    assert [m["To"] for m in smtp.inbox.messages] == ["known@example.ng"]


def test_a_reset_proves_the_address_so_it_becomes_verified(
    smtp, api_client, django_capture_on_commit_callbacks
):
    from tests.accounts.factories import UnverifiedUserFactory

    user = UnverifiedUserFactory(email="squatted@example.ng")
    ask_for_reset(api_client, user.email, django_capture_on_commit_callbacks)
    uid, token = link_from(smtp.inbox.messages[0])
    api_client.post(
        CONFIRM, {"uid": uid, "token": token, "new_password": NEW_PASSWORD}, format="json"
    )
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert user.email_verified


@pytest.mark.parametrize(
    ("uid", "token", "password", "field"),
    [
        ("garbage", "x-y", NEW_PASSWORD, None),
        ("OTk5OTk5", "x-y", NEW_PASSWORD, None),  # base64 of a user id that does not exist
        ("VALID", "wrong-token", NEW_PASSWORD, None),
        ("VALID", "VALID", "short", "password"),
        ("VALID", "VALID", "12345678901", "password"),
    ],
)
def test_bad_reset_confirmations_change_nothing(api_client, uid, token, password, field):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = UserFactory()
    uid = urlsafe_base64_encode(force_bytes(user.pk)) if uid == "VALID" else uid
    token = default_token_generator.make_token(user) if token == "VALID" else token

    response = api_client.post(
        CONFIRM, {"uid": uid, "token": token, "new_password": password}, format="json"
    )

    assert response.status_code == 400
    error = response.json()["error"]
    if field:
        assert field in error["details"]
    else:
        assert error["code"] == "invalid_reset_link"
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_reset_requests_are_limited_per_ip(settings, django_capture_on_commit_callbacks):
    settings.PASSWORD_RESET_RATE_LIMIT = "2/h"
    client = APIClient(REMOTE_ADDR="198.51.100.20")
    answers = [
        ask_for_reset(client, "someone@example.ng", django_capture_on_commit_callbacks).status_code
        for _ in range(3)
    ]
    assert answers == [202, 202, 429]
    other_address = APIClient(REMOTE_ADDR="198.51.100.21")
    assert (
        other_address.post(RESET, {"email": "someone@example.ng"}, format="json").status_code == 202
    )
