"""Email addresses are verified by a signed link emailed at signup (or on request)."""

import re
from datetime import timedelta
from urllib.parse import unquote

import pytest
import time_machine
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.services import email_verification_token
from tests.accounts.factories import UnverifiedUserFactory, UserFactory
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

VERIFY = "/api/auth/email/verify/"
RESEND = "/api/auth/email/verify/resend/"
TOKEN_IN_LINK = re.compile(r"/verify-email\?token=(\S+)")


def token_from(message) -> str:
    match = TOKEN_IN_LINK.search(message.body)
    assert match, message.body
    return unquote(match.group(1))  # the SPA reads it from the query string


@pytest.fixture
def signed_up(api_client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(
            "/api/signup/",
            {
                "company_name": "Ikoyi Homes",
                "email": "Tola@Ikoyi.ng",
                "password": "Strong-Pass-2026",
                "first_name": "Tola",
            },
            format="json",
        )
    return User.objects.get(email="tola@ikoyi.ng")


def test_the_signed_in_owner_verifies_once_and_for_all(signed_up, mailoutbox):
    [message] = mailoutbox
    token = token_from(message)
    owner = client_for(signed_up)

    assert owner.post(VERIFY, {"token": token}, format="json").status_code == 204
    signed_up.refresh_from_db()
    assert signed_up.email_verified
    verified_at = signed_up.email_verified_at
    # Using the link again changes nothing and still succeeds.
    assert owner.post(VERIFY, {"token": token}, format="json").status_code == 204
    signed_up.refresh_from_db()
    assert signed_up.email_verified_at == verified_at


def test_the_link_alone_verifies_nothing(api_client, signed_up, mailoutbox):
    """Replays the probe: someone signed up with another person's address, the owner
    clicked "confirm", and the squatter's account was verified for that address."""
    token = token_from(mailoutbox[0])

    anonymous = api_client.post(VERIFY, {"token": token}, format="json")
    someone_else = client_for(UserFactory()).post(VERIFY, {"token": token}, format="json")

    assert anonymous.status_code == 401
    assert someone_else.status_code == 400
    assert someone_else.json()["error"]["code"] == "invalid_verification_link"
    signed_up.refresh_from_db()
    assert not signed_up.email_verified


def test_unverified_accounts_are_greeted_by_no_name(signed_up, mailoutbox):
    """Replays the probe: a squatter's "first name" carried a fake lockout notice."""
    assert mailoutbox[0].body.startswith("Hello there,")
    assert "Tola" not in mailoutbox[0].body


@pytest.mark.parametrize("token", ["", "garbage", "a" * 512])
def test_bad_tokens_are_refused(signed_up, token):
    response = client_for(signed_up).post(VERIFY, {"token": token}, format="json")
    assert response.status_code == 400
    signed_up.refresh_from_db()
    assert not signed_up.email_verified


def test_an_expired_link_is_refused(signed_up, mailoutbox, settings):
    token = token_from(mailoutbox[0])
    later = timezone.now() + timedelta(days=settings.EMAIL_VERIFICATION_DAYS, minutes=1)
    with time_machine.travel(later):
        response = client_for(signed_up).post(VERIFY, {"token": token}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_verification_link"


def test_a_link_for_an_address_the_account_no_longer_has_is_refused():
    user = UnverifiedUserFactory(email="old@example.ng")
    token = email_verification_token(user_id=user.pk, email="old@example.ng")
    User.objects.filter(pk=user.pk).update(email="new@example.ng")
    user.refresh_from_db()

    response = client_for(user).post(VERIFY, {"token": token}, format="json")

    assert response.status_code == 400
    user.refresh_from_db()
    assert not user.email_verified


def test_a_signed_in_unverified_user_asks_for_a_new_link(
    mailoutbox, django_capture_on_commit_callbacks
):
    user = UnverifiedUserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(user).post(RESEND, {}, format="json")
    assert response.status_code == 202
    [message] = mailoutbox
    assert message.to == [user.email]
    assert client_for(user).get("/api/auth/me/").json()["email_verified"] is False


def test_a_verified_user_asking_again_gets_no_email(
    user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(user).post(RESEND, {}, format="json")
    assert response.status_code == 202
    assert mailoutbox == []


def test_a_squatters_text_never_reaches_the_owner(
    api_client, mailoutbox, django_capture_on_commit_callbacks
):
    """Replays the probe: a newline-laden first name became the greeting of every email
    the address's owner then received from us."""
    lure = "Ada,\n\nYour account is LOCKED. Verify now at https://evil.example/login\n\nThanks"
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(
            "/api/marketers/signup/",
            {"email": "victim@buyer.ng", "password": "Attacker!Pass99", "first_name": lure},
            format="json",
        )
        api_client.post(
            "/api/signup/",
            {"company_name": "X", "email": "victim@buyer.ng", "password": "Strong-Pass-2026"},
            format="json",
        )
    assert len(mailoutbox) == 2
    for message in mailoutbox:
        text = message.body + message.alternatives[0][0] + message.subject
        assert "evil.example" not in text
        assert "LOCKED" not in text
