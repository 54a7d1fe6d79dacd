"""Recording a client grants nothing: the person joins only by accepting the emailed
invitation with an account that owns the (verified) address.

The first tests replay the request sequences that got into a company's data before.
"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from apps.companies.models import Membership
from apps.estates.models import Client, ClientInvitation
from tests.accounts.factories import PASSWORD, UnverifiedUserFactory, UserFactory
from tests.companies.factories import CompanyFactory, MembershipFactory
from tests.conftest import client_for
from tests.estates.factories import PlotFactory

pytestmark = pytest.mark.django_db

CLIENTS = "/api/clients/"
ACCEPT = "/api/invitations/accept/"
SIGNUP = "/api/invitations/signup/"
TOKEN_IN_LINK = re.compile(r"/invitations/accept\?token=([A-Za-z0-9_\-]+)")


@pytest.fixture
def record(admin_client, django_capture_on_commit_callbacks, mailoutbox):
    """POST a client as the company's admin; the invitation email goes out on commit."""

    def post(email, **fields):
        with django_capture_on_commit_callbacks(execute=True):
            return admin_client.post(CLIENTS, {"email": email, **fields}, format="json")

    return post


def token_from(message) -> str:
    match = TOKEN_IN_LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def sell_to(client_id, company):
    from apps.estates.services import purchase_create

    plot = PlotFactory(estate__company=company)
    return purchase_create(company_id=company.pk, plot_id=plot.pk, client_id=client_id)


# --- the probe's sequences, replayed ------------------------------------------------------


def test_a_squatter_who_signed_up_first_with_the_buyers_email_gets_nothing(
    api_client, company, record, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(
            "/api/marketers/signup/",
            {"email": "buyer@example.ng", "password": "Squatter-Pass-2026"},
            format="json",
        )
    squatter = APIClient()
    login = squatter.post(
        "/api/auth/login/",
        {"email": "buyer@example.ng", "password": "Squatter-Pass-2026"},
        format="json",
    )
    squatter.credentials(HTTP_AUTHORIZATION=f"Bearer {login.json()['access']}")

    created = record("buyer@example.ng", first_name="Real", last_name="Buyer")
    sell_to(created.json()["id"], company)

    for path in ("/api/purchases/", "/api/company/", "/api/plots/", "/api/usage/"):
        response = squatter.get(path)
        assert response.status_code == 403, path
        assert response.json()["error"]["code"] == "no_company"
    # Even holding the link (it went to the real inbox), an unverified account cannot join.
    invitation = mailoutbox[-1]
    refused = squatter.post(ACCEPT, {"token": token_from(invitation)}, format="json")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "email_unverified"
    assert not Membership.objects.filter(company=company, user__email="buyer@example.ng").exists()


def test_a_company_cannot_pull_another_companys_people_in(company, record):
    other = CompanyFactory()
    their_admin = MembershipFactory(company=other, role="company_admin").user
    their_admin.first_name, their_admin.last_name = "Secret", "Person"
    their_admin.save()

    response = record(their_admin.email, first_name="Ada", last_name="Buyer")

    assert response.status_code == 201
    assert "Secret" not in response.content.decode()
    assert not Membership.objects.filter(company=company, user=their_admin).exists()
    as_them = client_for(their_admin)
    assert as_them.get("/api/company/").json()["id"] == other.pk
    assert client_for(their_admin, company_id=company.pk).get("/api/company/").status_code == 403
    their_admin.refresh_from_db()
    assert their_admin.first_name == "Secret"


def test_recording_a_client_answers_alike_for_new_existing_and_staff_emails(record):
    UserFactory(email="existing@example.ng")
    UserFactory(email="staff@estateapp.ng", is_staff=True)

    answers = [
        record(email, first_name="Ada").json()
        for email in ("new@example.ng", "existing@example.ng", "staff@estateapp.ng")
    ]

    varying = {"id", "email", "created_at"}
    shapes = [{key: value for key, value in a.items() if key not in varying} for a in answers]
    assert shapes[0] == shapes[1] == shapes[2]
    assert shapes[0]["status"] == "invited"
    assert "user_id" not in answers[0]


def test_the_invitation_email_quotes_the_company_name_and_greets_by_the_accounts_own_name(
    company, record, mailoutbox
):
    company.name = "Evil Co\nYour account is locked, verify at http://evil.example <script>"
    company.save()
    UserFactory(email="ngozi@example.ng", first_name="Ngozi")

    record("ngozi@example.ng", first_name="Typed-By-Company", last_name="Lies")

    [message] = mailoutbox
    assert message.to == ["ngozi@example.ng"]
    text = message.body
    html = message.alternatives[0][0]
    assert text.startswith("Hello Ngozi,")
    assert "Typed-By-Company" not in text + html + message.subject
    # The tenant's text stays on one quoted line (no line of its own to pose as ours),
    # and is escaped in the HTML part.
    assert "“Evil Co Your account is locked" in text
    assert "\nYour account is locked" not in text
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "\n" not in message.subject


def test_an_address_without_an_account_is_greeted_without_any_name(company, record, mailoutbox):
    record("someone@example.ng", first_name="Typed")
    assert mailoutbox[0].body.startswith("Hello there,")


# --- accepting -----------------------------------------------------------------------------


def test_the_verified_owner_accepts_and_sees_their_purchases(company, record, mailoutbox):
    buyer = UserFactory(email="buyer@example.ng", first_name="Own", last_name="Name")
    client_id = record("Buyer@Example.ng", first_name="Recorded", last_name="Name").json()["id"]
    sell_to(client_id, company)

    response = client_for(buyer).post(ACCEPT, {"token": token_from(mailoutbox[0])}, format="json")

    assert response.status_code == 200, response.content
    assert response.json() == {"company_id": company.pk, "client_id": client_id, "role": "client"}
    membership = Membership.objects.get(company=company, user=buyer)
    assert membership.role == "client"
    # The company knows them by the names it recorded, not the account's.
    assert (membership.first_name, membership.last_name) == ("Recorded", "Name")
    assert len(client_for(buyer).get("/api/purchases/").json()["results"]) == 1
    assert Client.objects.get(pk=client_id).joined_at is not None


def test_the_link_works_once(company, record, mailoutbox):
    buyer = UserFactory(email="buyer@example.ng")
    record(buyer.email)
    token = token_from(mailoutbox[0])
    assert client_for(buyer).post(ACCEPT, {"token": token}, format="json").status_code == 200

    again = client_for(buyer).post(ACCEPT, {"token": token}, format="json")

    assert again.status_code == 400
    assert again.json()["error"]["code"] == "invalid_invitation"


def test_an_expired_link_is_refused(company, record, mailoutbox, settings):
    buyer = UserFactory(email="buyer@example.ng")
    record(buyer.email)
    token = token_from(mailoutbox[0])

    with time_machine.travel(timezone.now() + timedelta(days=settings.INVITATION_DAYS, hours=1)):
        response = client_for(buyer).post(ACCEPT, {"token": token}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_invitation"
    assert not Membership.objects.filter(company=company, user=buyer).exists()


def test_sending_a_new_invitation_retires_the_old_link(
    admin_client, company, record, mailoutbox, django_capture_on_commit_callbacks
):
    buyer = UserFactory(email="buyer@example.ng")
    client_id = record(buyer.email).json()["id"]
    old = token_from(mailoutbox[0])
    with django_capture_on_commit_callbacks(execute=True):
        resent = admin_client.post(f"{CLIENTS}{client_id}/invite/", {}, format="json")
    assert resent.status_code == 202
    new = token_from(mailoutbox[1])

    assert client_for(buyer).post(ACCEPT, {"token": old}, format="json").status_code == 400
    assert client_for(buyer).post(ACCEPT, {"token": new}, format="json").status_code == 200
    again = admin_client.post(f"{CLIENTS}{client_id}/invite/", {}, format="json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_joined"


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("another account", "invitation_email_mismatch"),
        ("unverified owner", "email_unverified"),
        ("staff owner", "staff_account"),
    ],
)
def test_only_the_verified_owner_of_the_address_can_accept(company, record, mailoutbox, who, code):
    accounts = {
        "another account": lambda: UserFactory(email="someone-else@example.ng"),
        "unverified owner": lambda: UnverifiedUserFactory(email="buyer@example.ng"),
        "staff owner": lambda: UserFactory(email="buyer@example.ng", is_staff=True),
    }
    person = accounts[who]()
    record("buyer@example.ng")

    response = client_for(person).post(ACCEPT, {"token": token_from(mailoutbox[0])}, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == code
    assert not Membership.objects.filter(company=company).exclude(role="company_admin").exists()
    assert ClientInvitation.objects.get().accepted_at is None


def test_an_api_key_cannot_accept(company, record, mailoutbox):
    from tests.companies.factories import make_api_key

    record("buyer@example.ng")
    with_key = APIClient()
    with_key.credentials(HTTP_X_API_KEY=make_api_key(company))
    response = with_key.post(ACCEPT, {"token": token_from(mailoutbox[0])}, format="json")
    assert response.status_code == 403


# --- creating an account through the link -----------------------------------------------------


def test_a_new_person_creates_a_verified_account_through_the_link(
    api_client, company, record, mailoutbox
):
    client_id = record("new@example.ng", first_name="Chioma").json()["id"]
    sell_to(client_id, company)

    response = api_client.post(
        SIGNUP,
        {"token": token_from(mailoutbox[0]), "password": "Fresh-Lagos-Pass-77", "first_name": "C"},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["company_id"], body["client_id"]) == (company.pk, client_id)
    signed_in = APIClient()
    signed_in.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    me = signed_in.get("/api/auth/me/").json()
    assert (me["email"], me["email_verified"]) == ("new@example.ng", True)
    assert len(signed_in.get("/api/purchases/").json()["results"]) == 1


def test_signing_up_through_the_link_of_an_existing_account_says_sign_in(
    api_client, company, record, mailoutbox
):
    UserFactory(email="buyer@example.ng")
    record("buyer@example.ng")

    response = api_client.post(
        SIGNUP, {"token": token_from(mailoutbox[0]), "password": PASSWORD}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "account_exists"
    assert not Membership.objects.filter(company=company, role="client").exists()


def test_a_made_up_token_is_refused_and_creates_nothing(api_client, company, record):
    record("new@example.ng")
    response = api_client.post(
        SIGNUP, {"token": "not-a-real-token", "password": "Fresh-Lagos-Pass-77"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_invitation"
    assert not Membership.objects.filter(role="client").exists()


def test_the_members_list_shows_the_names_the_company_recorded(
    admin_client, company, record, mailoutbox
):
    buyer = UserFactory(email="buyer@example.ng", first_name="Account", last_name="Names")
    record(buyer.email, first_name="Recorded", last_name="Buyer")
    client_for(buyer).post(ACCEPT, {"token": token_from(mailoutbox[0])}, format="json")

    members = admin_client.get("/api/company/members/?role=client").json()["results"]

    assert [(m["email"], m["first_name"], m["last_name"]) for m in members] == [
        ("buyer@example.ng", "Recorded", "Buyer")
    ]


# --- abuse of our mail server ------------------------------------------------------------------


def test_a_company_without_a_verified_admin_sends_no_invitations(
    django_capture_on_commit_callbacks, mailoutbox
):
    """Replays the probe: a signup with an unverified address sent invitations to
    strangers under a company name of its choosing."""
    company = CompanyFactory(name="Claim your prize at http://evil.example now")
    squatter = MembershipFactory(
        company=company, role="company_admin", user=UnverifiedUserFactory()
    ).user

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(squatter).post(
            CLIENTS, {"email": "stranger@example.ng"}, format="json"
        )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "unverified_company"
    assert not Client.objects.exists()
    assert mailoutbox == []


def test_a_client_is_sent_at_most_a_few_invitations_a_day(
    admin_client, admin_user, record, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.INVITATIONS_PER_CLIENT_PER_DAY = 3
    client_id = record("buyer@example.ng").json()["id"]
    resent = []
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            resent.append(admin_client.post(f"{CLIENTS}{client_id}/invite/", {}, format="json"))

    assert [response.status_code for response in resent] == [202, 202, 429]
    refused = resent[-1]
    assert refused.json()["error"]["code"] == "too_many_invitations"
    assert 0 < int(refused["Retry-After"]) <= 86400
    assert len(mailoutbox) == 3
    with (
        time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        later = client_for(admin_user).post(f"{CLIENTS}{client_id}/invite/", {}, format="json")
    assert later.status_code == 202
