"""Login, refresh, logout, me and password change for the SPA."""

import pytest
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from rest_framework.test import APIClient

from tests.accounts.factories import PASSWORD, UserFactory
from tests.companies.factories import MembershipFactory

pytestmark = pytest.mark.django_db

LOGIN = "/api/auth/login/"
REFRESH = "/api/auth/refresh/"
LOGOUT = "/api/auth/logout/"
ME = "/api/auth/me/"
PASSWORD_CHANGE = "/api/auth/password/change/"


def login(client, email, password=PASSWORD):
    return client.post(LOGIN, {"email": email, "password": password}, format="json")


def bearer(access):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


class Recorder:
    def __init__(self, signal):
        self.calls = []
        self.signal = signal

    def __call__(self, sender, **kwargs):
        self.calls.append(kwargs)

    def __enter__(self):
        self.signal.connect(self, weak=False)
        return self

    def __exit__(self, *exc):
        self.signal.disconnect(self)


def test_login_returns_a_token_pair_and_records_the_login(api_client):
    user = UserFactory()
    with Recorder(user_logged_in) as logged_in:
        response = login(api_client, user.email.upper())  # email is case-insensitive
    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}
    assert [call["user"] for call in logged_in.calls] == [user]
    user.refresh_from_db()
    assert user.last_login is not None


@pytest.mark.parametrize("case", ["unknown-email", "wrong-password", "inactive"])
def test_login_failures_do_not_tell_whether_the_email_exists(api_client, case):
    user = UserFactory(is_active=case != "inactive")
    email = "nobody@example.ng" if case == "unknown-email" else user.email
    password = "Wrong-Password-1" if case == "wrong-password" else PASSWORD

    with Recorder(user_login_failed) as failed:
        response = login(api_client, email, password)

    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "code": "invalid_credentials",
            "message": "The email or password is incorrect.",
            "details": None,
        }
    }
    assert len(failed.calls) == 1
    # Django masks the password before the signal carries the credentials anywhere.
    assert failed.calls[0]["credentials"]["password"] != password


def test_login_validates_its_input(api_client):
    response = api_client.post(LOGIN, {"email": "not-an-email"}, format="json")
    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == {"email", "password"}


def test_me_shows_the_user_roles_and_memberships():
    membership = MembershipFactory(role="company_admin")
    access = login(APIClient(), membership.user.email).json()["access"]

    response = bearer(access).get(ME)

    assert response.status_code == 200
    body = response.json()
    assert body["email"] == membership.user.email
    assert body["roles"] == ["company_admin"]
    assert body["current_company_id"] == membership.company_id
    assert body["memberships"] == [
        {
            "company_id": membership.company_id,
            "company_name": membership.company.name,
            "role": "company_admin",
            "subscription_tier": membership.company.subscription_tier,
            "subscription_status": membership.company.subscription_status,
            "is_active": True,
        }
    ]
    assert body["email_verified"] is True


def test_me_for_a_user_without_a_company():
    user = UserFactory()
    response = bearer(login(APIClient(), user.email).json()["access"]).get(ME)
    assert response.status_code == 200
    assert response.json()["memberships"] == []
    assert response.json()["current_company_id"] is None


def test_me_patch_changes_names_but_refuses_the_email():
    user = UserFactory()
    client = bearer(login(APIClient(), user.email).json()["access"])

    refused = client.patch(ME, {"email": "new@example.ng", "first_name": "Ada"}, format="json")
    assert refused.status_code == 400
    assert "email" in refused.json()["error"]["details"]
    user.refresh_from_db()
    assert user.email != "new@example.ng"
    assert user.first_name != "Ada"

    changed = client.patch(ME, {"first_name": "Ada"}, format="json")
    assert changed.status_code == 200
    assert changed.json()["first_name"] == "Ada"


def test_me_requires_authentication(api_client):
    assert api_client.get(ME).status_code == 401


def test_refresh_rotates_and_the_old_refresh_token_stops_working(api_client):
    user = UserFactory()
    tokens = login(api_client, user.email).json()

    rotated = api_client.post(REFRESH, {"refresh": tokens["refresh"]}, format="json")
    assert rotated.status_code == 200
    assert set(rotated.json()) == {"access", "refresh"}
    assert bearer(rotated.json()["access"]).get(ME).status_code == 200

    reused = api_client.post(REFRESH, {"refresh": tokens["refresh"]}, format="json")
    assert reused.status_code == 401
    assert reused.json()["error"]["code"] == "token_not_valid"


def test_refresh_with_garbage_is_a_401(api_client):
    response = api_client.post(REFRESH, {"refresh": "garbage"}, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_not_valid"


def test_refresh_for_a_deleted_account_is_a_401_not_a_500(api_client):
    user = UserFactory()
    refresh = login(api_client, user.email).json()["refresh"]
    user.delete()
    response = api_client.post(REFRESH, {"refresh": refresh}, format="json")
    assert response.status_code == 401


def test_logout_revokes_both_tokens(api_client):
    user = UserFactory()
    tokens = login(api_client, user.email).json()
    client = bearer(tokens["access"])

    with Recorder(user_logged_out) as logged_out:
        response = client.post(LOGOUT, {"refresh": tokens["refresh"]}, format="json")

    assert response.status_code == 204
    assert [call["user"] for call in logged_out.calls] == [user]
    me = client.get(ME)
    assert me.status_code == 401
    assert me.json()["error"]["code"] == "token_revoked"
    again = api_client.post(REFRESH, {"refresh": tokens["refresh"]}, format="json")
    assert again.status_code == 401


def test_logout_with_an_invalid_refresh_token(api_client):
    response = api_client.post(LOGOUT, {"refresh": "nope"}, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_not_valid"


def test_password_change_enforces_rules_and_ends_old_sessions(api_client):
    user = UserFactory()
    old = login(api_client, user.email).json()
    client = bearer(old["access"])

    weak = client.post(
        PASSWORD_CHANGE, {"current_password": PASSWORD, "new_password": "12345678"}, format="json"
    )
    assert weak.status_code == 400
    assert "password" in weak.json()["error"]["details"]

    wrong = client.post(
        PASSWORD_CHANGE,
        {"current_password": "not-it", "new_password": "A-much-better-pass-42"},
        format="json",
    )
    assert wrong.status_code == 400
    assert "current_password" in wrong.json()["error"]["details"]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)

    ok = client.post(
        PASSWORD_CHANGE,
        {"current_password": PASSWORD, "new_password": "A-much-better-pass-42"},
        format="json",
    )
    assert ok.status_code == 200
    assert bearer(ok.json()["access"]).get(ME).status_code == 200
    # Tokens issued before the change no longer work.
    assert client.get(ME).status_code == 401
    assert api_client.post(REFRESH, {"refresh": old["refresh"]}, format="json").status_code == 401
    assert login(api_client, user.email, "A-much-better-pass-42").status_code == 200
