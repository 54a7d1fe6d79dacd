"""Ending someone's place in a company takes effect on their very next request, with the
token they already hold.

The first test replays the probe: a suspended marketer still read estates, plots,
purchases with client emails, the company profile and usage.
"""

from decimal import Decimal

import pytest

from apps.marketers.services import affiliation_approve
from tests.companies.factories import CompanyFactory, MembershipFactory, make_api_key
from tests.conftest import client_for
from tests.estates.factories import ClientFactory, EstateFactory
from tests.estates.sales import make_sale
from tests.marketers.affiliations import approved_affiliation, pending_affiliation
from tests.marketers.factories import AffiliationFactory

pytestmark = pytest.mark.django_db

COMPANY_READS = (
    "/api/estates/",
    "/api/plots/",
    "/api/purchases/",
    "/api/commissions/",
    "/api/company/",
    "/api/usage/",
)


def assert_no_access(client, company_id=None):
    for path in COMPANY_READS:
        response = client.get(
            path, **({"HTTP_X_COMPANY_ID": str(company_id)} if company_id else {})
        )
        assert response.status_code == 403, (path, response.content)
        assert response.json()["error"]["code"] in ("no_company", "not_a_member")


def test_a_suspended_marketer_loses_access_at_once_and_regains_it_when_reactivated(
    admin_client, company
):
    affiliation = approved_affiliation(company)
    make_sale(company, affiliation=affiliation)
    EstateFactory(company=company)
    marketer = client_for(affiliation.marketer.user)  # a token issued before the suspension
    assert marketer.get("/api/purchases/").status_code == 200

    suspended = admin_client.post(f"/api/affiliations/{affiliation.pk}/suspend/", {}, format="json")
    assert suspended.status_code == 200

    assert_no_access(marketer)
    assert_no_access(marketer, company_id=company.pk)
    # Their own applications across companies stay readable: that is their own data.
    assert marketer.get("/api/marketer/affiliations/").status_code == 200

    admin_client.post(f"/api/affiliations/{affiliation.pk}/reactivate/", {}, format="json")
    assert marketer.get("/api/purchases/").status_code == 200


def test_the_members_list_shows_a_suspended_member_as_inactive(admin_client, company):
    affiliation = approved_affiliation(company)
    admin_client.post(f"/api/affiliations/{affiliation.pk}/suspend/", {}, format="json")
    members = admin_client.get("/api/company/members/?role=marketer").json()["results"]
    assert [(m["user_id"], m["is_active"]) for m in members] == [
        (affiliation.marketer.user_id, False)
    ]


def test_a_rejected_applicant_never_reaches_the_company(admin_client, company):
    affiliation = pending_affiliation(company)
    admin_client.post(f"/api/affiliations/{affiliation.pk}/reject/", {}, format="json")
    assert_no_access(client_for(affiliation.marketer.user))


def test_a_removed_member_loses_access_at_once(admin_client, company):
    membership = MembershipFactory(company=company, role="marketer")
    member = client_for(membership.user)
    assert member.get("/api/estates/").status_code == 200

    assert admin_client.delete(f"/api/company/members/{membership.pk}/").status_code == 204

    assert_no_access(member)


def test_a_deleted_client_loses_access_at_once(admin_client, company):
    client = ClientFactory(company=company)
    buyer = client_for(client.user)
    assert buyer.get("/api/purchases/").status_code == 200

    assert admin_client.delete(f"/api/clients/{client.pk}/").status_code == 204

    assert_no_access(buyer)


def test_a_revoked_key_stops_working_at_once(admin_client, company, api_client):
    raw_key = make_api_key(company)
    api_client.credentials(HTTP_X_API_KEY=raw_key)
    assert api_client.get("/api/plots/").status_code == 200
    key_id = admin_client.get("/api/company/api-keys/").json()["results"][0]["id"]

    assert admin_client.delete(f"/api/company/api-keys/{key_id}/").status_code == 204

    response = api_client.get("/api/plots/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"


def test_suspension_in_one_company_leaves_the_others(admin_client, company):
    affiliation = approved_affiliation(company)
    second = AffiliationFactory(
        company=CompanyFactory(), marketer=affiliation.marketer, status="pending"
    )
    affiliation_approve(
        company_id=second.company_id,
        affiliation_id=second.pk,
        decided_by_id=None,
        commission_rate=Decimal("5.00"),
    )
    admin_client.post(f"/api/affiliations/{affiliation.pk}/suspend/", {}, format="json")

    marketer = client_for(affiliation.marketer.user)
    assert_no_access(marketer, company_id=company.pk)
    response = marketer.get("/api/company/")
    assert response.status_code == 200
    assert response.json()["id"] == second.company_id
