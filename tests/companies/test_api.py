import pytest
from rest_framework.test import APIClient

from apps.companies.models import ApiKey, Company, Membership
from tests.accounts.factories import UserFactory
from tests.companies.factories import CompanyFactory, MembershipFactory, make_api_key
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

SIGNUP = {
    "company_name": "Abuja Homes Ltd",
    "email": "musa@abujahomes.ng",
    "password": "Strong-Pass-2026",
    "first_name": "Musa",
}


def test_signup_creates_the_company_and_the_admin_can_sign_in(api_client):
    response = api_client.post("/api/signup/", SIGNUP, format="json")
    assert response.status_code == 202, response.content
    assert set(response.json()) == {"detail"}
    login = api_client.post(
        "/api/auth/login/",
        {"email": SIGNUP["email"], "password": SIGNUP["password"]},
        format="json",
    )
    me = APIClient()
    me.credentials(HTTP_AUTHORIZATION=f"Bearer {login.json()['access']}")
    company = me.get("/api/company/").json()
    assert company["name"] == "Abuja Homes Ltd"
    assert company["subscription_status"] == "trialing"
    assert company["subscription_tier"] == "starter"
    assert company["is_subscription_active"] is True


@pytest.mark.parametrize("email", ["musa@abujahomes.ng", "staff@estateapp.ng"])
def test_signup_answers_alike_for_known_and_unknown_emails(api_client, email):
    """Replays the probe: signup used to say "an account with this email exists"."""
    UserFactory(email="musa@abujahomes.ng")
    UserFactory(email="staff@estateapp.ng", is_staff=True)
    unknown = api_client.post(
        "/api/signup/", {**SIGNUP, "email": "new@abujahomes.ng"}, format="json"
    )
    known = api_client.post("/api/signup/", {**SIGNUP, "email": email}, format="json")

    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    assert Company.objects.count() == 1  # only the unknown email's


def test_a_signed_in_user_creates_a_company_and_stays_a_client_elsewhere(api_client):
    elsewhere = CompanyFactory()
    person = MembershipFactory(company=elsewhere, role="client").user
    client = client_for(person)

    response = client.post("/api/companies/", {"name": "Musa Homes"}, format="json")

    assert response.status_code == 201, response.content
    created = response.json()
    assert created["subscription_status"] == "trialing"
    roles = {(m.company_id, m.role) for m in Membership.objects.filter(user=person)}
    assert roles == {(elsewhere.pk, "client"), (created["id"], "company_admin")}
    as_owner = client_for(person, company_id=created["id"])
    assert as_owner.get("/api/company/").json()["name"] == "Musa Homes"


def test_api_keys_cannot_create_companies(api_client):
    api_client.credentials(HTTP_X_API_KEY=make_api_key(CompanyFactory()))
    response = api_client.post("/api/companies/", {"name": "Key Co"}, format="json")
    assert response.status_code == 403
    assert Company.objects.count() == 1


@pytest.mark.parametrize(
    "extra",
    [
        {"subscription_tier": "enterprise"},
        {"subscription_status": "active"},
        {"max_plots": 100000},
        {"max_api_calls_daily": 10**9},
        {"trial_ends_at": "2099-01-01T00:00:00Z"},
        {"company": 1},
    ],
)
def test_signup_refuses_plan_fields_and_creates_nothing(api_client, extra):
    response = api_client.post("/api/signup/", {**SIGNUP, **extra}, format="json")
    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == set(extra)
    assert not Company.objects.exists()


def test_signup_reports_weak_passwords(api_client):
    response = api_client.post("/api/signup/", {**SIGNUP, "password": "abujahomes"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()["error"]["details"]
    assert not Company.objects.exists()


def test_plans_are_public_with_naira_fees(api_client):
    response = api_client.get("/api/plans/")
    assert response.status_code == 200
    assert [(p["code"], p["monthly_fee"], p["hourly_request_limit"]) for p in response.json()] == [
        ("starter", "25000.00", 100),
        ("professional", "75000.00", 1000),
        ("enterprise", "250000.00", 10000),
    ]


def test_company_admin_updates_the_profile_but_not_the_plan(admin_client, company):
    refused = admin_client.patch(
        "/api/company/",
        {"name": "Renamed", "subscription_tier": "enterprise", "max_plots": 99999},
        format="json",
    )
    assert refused.status_code == 400
    assert set(refused.json()["error"]["details"]) == {"subscription_tier", "max_plots"}
    company.refresh_from_db()
    assert company.name != "Renamed"
    assert company.subscription_tier == "professional"

    ok = admin_client.patch("/api/company/", {"name": "Renamed"}, format="json")
    assert ok.status_code == 200
    assert ok.json()["name"] == "Renamed"


def test_a_marketer_reads_the_company_but_cannot_change_it(company):
    marketer = MembershipFactory(company=company, role="marketer").user
    client = client_for(marketer)
    assert client.get("/api/company/").status_code == 200
    response = client.patch("/api/company/", {"name": "Hijacked"}, format="json")
    assert response.status_code == 403
    company.refresh_from_db()
    assert company.name != "Hijacked"


def test_a_user_without_a_company_gets_403_no_company(user):
    response = client_for(user).get("/api/company/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "no_company"


def test_x_company_id_picks_among_memberships(company):
    other = CompanyFactory()
    user = MembershipFactory(company=company, role="company_admin").user
    MembershipFactory(company=other, user=user, role="marketer")

    assert client_for(user).get("/api/company/").json()["id"] == company.pk
    assert client_for(user, company_id=other.pk).get("/api/company/").json()["id"] == other.pk
    stranger = CompanyFactory()
    response = client_for(user, company_id=stranger.pk).get("/api/company/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_a_member"
    assert client_for(user, company_id="abc").get("/api/company/").status_code == 403


def test_members_list_change_role_and_remove(admin_client, admin_user, company):
    marketer = MembershipFactory(company=company, role="marketer")
    listed = admin_client.get("/api/company/members/")
    assert listed.status_code == 200
    assert {m["email"] for m in listed.json()["results"]} == {admin_user.email, marketer.user.email}

    changed = admin_client.patch(
        f"/api/company/members/{marketer.pk}/", {"role": "client"}, format="json"
    )
    assert changed.status_code == 200
    assert changed.json()["role"] == "client"

    bad = admin_client.patch(f"/api/company/members/{marketer.pk}/", {"role": "god"}, format="json")
    assert bad.status_code == 400

    own = Membership.objects.get(user=admin_user)
    last_admin = admin_client.delete(f"/api/company/members/{own.pk}/")
    assert last_admin.status_code == 409
    assert last_admin.json()["error"]["code"] == "last_admin"

    assert admin_client.delete(f"/api/company/members/{marketer.pk}/").status_code == 204
    assert not Membership.objects.filter(pk=marketer.pk).exists()


def test_members_list_is_paginated_with_a_capped_page_size(admin_client, company):
    MembershipFactory.create_batch(120, company=company, role="client")
    page = admin_client.get("/api/company/members/?page_size=1000").json()
    assert page["count"] == 121
    assert len(page["results"]) == 100
    assert page["next"] is not None
    assert len(admin_client.get("/api/company/members/?page_size=5").json()["results"]) == 5


def test_members_list_runs_a_constant_number_of_queries(
    admin_client, company, django_assert_max_num_queries, plans_cached
):
    MembershipFactory.create_batch(3, company=company, role="client")
    with django_assert_max_num_queries(6) as few:
        admin_client.get("/api/company/members/")
    MembershipFactory.create_batch(40, company=company, role="client")
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin_client.get("/api/company/members/?page_size=50")


def test_only_admins_manage_members_and_keys(company):
    client = client_for(MembershipFactory(company=company, role="client").user)
    assert client.get("/api/company/members/").status_code == 403
    assert client.get("/api/company/api-keys/").status_code == 403
    assert client.post("/api/company/api-keys/", {"name": "x"}, format="json").status_code == 403
    assert not ApiKey.objects.exists()


def test_api_key_lifecycle(admin_client, company):
    created = admin_client.post("/api/company/api-keys/", {"name": "Website"}, format="json")
    assert created.status_code == 201
    raw = created.json()["key"]
    key_id = created.json()["id"]
    assert created.json()["display_prefix"].startswith("ea_")

    listed = admin_client.get("/api/company/api-keys/").json()["results"]
    assert [k["id"] for k in listed] == [key_id]
    assert "key" not in listed[0]
    assert raw not in str(admin_client.get(f"/api/company/api-keys/{key_id}/").content)

    with_key = APIClient()
    with_key.credentials(HTTP_X_API_KEY=raw)
    assert with_key.get("/api/company/").json()["id"] == company.pk
    assert ApiKey.objects.get(pk=key_id).last_used_at is not None
    # A key cannot mint keys or manage people: those are for signed-in admins.
    assert with_key.get("/api/company/api-keys/").status_code == 403

    assert admin_client.delete(f"/api/company/api-keys/{key_id}/").status_code == 204
    revoked = with_key.get("/api/company/")
    assert revoked.status_code == 401
    assert revoked.json()["error"]["code"] == "invalid_api_key"


def test_unknown_api_key_is_a_401(api_client):
    api_client.credentials(HTTP_X_API_KEY="ea_000000000000_nope")
    assert api_client.get("/api/company/").status_code == 401


def test_api_key_acts_for_its_own_company_only(company):
    other = CompanyFactory()
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=make_api_key(other))
    assert client.get("/api/company/").json()["id"] == other.pk


@pytest.mark.parametrize("header", ["²", "99999999999999999999999", "-1", "1 OR 1=1", "\uff11"])
def test_odd_company_headers_are_403_not_500(company, header):
    user = MembershipFactory(company=company).user
    response = client_for(user, company_id=header).get("/api/company/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_a_member"


def test_an_unverified_user_cannot_create_more_companies():
    from tests.accounts.factories import UnverifiedUserFactory

    response = client_for(UnverifiedUserFactory()).post(
        "/api/companies/", {"name": "Trial Farm 7"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "email_unverified"
    assert not Company.objects.exists()


@pytest.mark.parametrize("how", ["removed", "demoted"])
def test_an_admin_who_leaves_the_role_takes_their_keys_along(admin_client, company, how):
    """Replays the probe: a removed admin kept admin access through a key they made."""
    leaving = MembershipFactory(company=company, role="company_admin")
    created = client_for(leaving.user).post(
        "/api/company/api-keys/", {"name": "mine"}, format="json"
    )
    other_key = admin_client.post("/api/company/api-keys/", {"name": "ours"}, format="json")
    with_their_key = APIClient()
    with_their_key.credentials(HTTP_X_API_KEY=created.json()["key"])
    assert with_their_key.get("/api/clients/").status_code == 200

    if how == "removed":
        admin_client.delete(f"/api/company/members/{leaving.pk}/")
    else:
        admin_client.patch(f"/api/company/members/{leaving.pk}/", {"role": "client"}, format="json")

    response = with_their_key.get("/api/clients/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"
    with_our_key = APIClient()
    with_our_key.credentials(HTTP_X_API_KEY=other_key.json()["key"])
    assert with_our_key.get("/api/clients/").status_code == 200


def test_the_key_list_says_who_made_each_key(admin_client, admin_user):
    admin_client.post("/api/company/api-keys/", {"name": "site"}, format="json")
    [key] = admin_client.get("/api/company/api-keys/").json()["results"]
    assert (key["created_by_id"], key["created_by_email"]) == (admin_user.pk, admin_user.email)
