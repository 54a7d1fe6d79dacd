"""Authentication from the cache: a warm request resolves the account, the tenant and
the token's revocation with no query, and each change to what they depend on is seen by
the very next request."""

import pytest
from django.utils import timezone

from apps.companies.models import Membership, SubscriptionStatus
from apps.companies.services import (
    company_change_subscription,
    membership_change_role,
    membership_set_active,
)
from tests.companies.factories import MembershipFactory
from tests.conftest import client_for
from tests.estates.factories import ClientFactory

pytestmark = pytest.mark.django_db

ME = "/api/auth/me/"
USAGE = "/api/usage/"
CLIENTS = "/api/clients/"


@pytest.fixture
def admin(company):
    return MembershipFactory(company=company, role="company_admin")


@pytest.fixture
def api(admin):
    return client_for(admin.user)


def test_a_warm_me_request_asks_the_database_nothing(api, plans_cached, django_assert_num_queries):
    assert api.get(ME).status_code == 200
    with django_assert_num_queries(0):
        body = api.get(ME).json()
    assert body["roles"] == ["company_admin"]


def test_a_warm_list_request_spends_no_query_on_authentication(
    api, company, plans_cached, django_assert_num_queries
):
    ClientFactory(company=company)
    api.get(CLIENTS)
    with django_assert_num_queries(2):  # the page and its count, nothing else
        assert api.get(CLIENTS).status_code == 200


def test_a_role_change_is_seen_by_the_next_request(api, admin, company, plans_cached):
    MembershipFactory(company=company, role="company_admin")  # another admin remains
    assert api.get(CLIENTS).status_code == 200
    membership_change_role(company_id=company.pk, membership_id=admin.pk, role="marketer")
    assert api.get(CLIENTS).status_code == 403
    assert api.get(ME).json()["roles"] == ["marketer"]


def test_a_warm_me_shows_each_membership_change_at_once(api, admin, company):
    MembershipFactory(company=company, role="company_admin")  # another admin remains
    for _ in range(3):  # warm: the sign-in and the memberships cached
        assert api.get(ME).json()["roles"] == ["company_admin"]
    membership_change_role(company_id=company.pk, membership_id=admin.pk, role="marketer")
    body = api.get(ME).json()
    assert body["roles"] == ["marketer"]
    assert [m["role"] for m in body["memberships"]] == ["marketer"]
    joined = MembershipFactory(user=admin.user, role="client")
    companies = [m["company_id"] for m in api.get(ME).json()["memberships"]]
    assert companies == [company.pk, joined.company_id]


def test_a_suspended_membership_is_refused_on_the_next_request(api, admin, company):
    assert api.get(CLIENTS).status_code == 200
    membership_set_active(
        company_id=company.pk, user_id=admin.user_id, role="company_admin", active=False
    )
    assert api.get(CLIENTS).status_code == 403


def test_a_removed_membership_is_refused_on_the_next_request(api, admin):
    assert api.get(CLIENTS).status_code == 200
    Membership.objects.filter(pk=admin.pk).delete()
    assert api.get(CLIENTS).status_code == 403


def test_a_tier_change_is_seen_by_the_next_request(api, company, plan_catalogue):
    before = api.get(USAGE).json()["caller_hourly"]["limit"]
    company_change_subscription(company_id=company.pk, tier="enterprise")
    after = api.get(USAGE).json()["caller_hourly"]["limit"]
    assert after != before
    assert api.get(ME).json()["memberships"][0]["subscription_tier"] == "enterprise"


def test_a_status_change_is_seen_by_the_next_request(api, company, plan_catalogue):
    estate = {"name": "Palms", "location": "Ajah", "state": "Lagos"}
    assert api.post("/api/estates/", estate, format="json").status_code == 201
    company_change_subscription(company_id=company.pk, status=SubscriptionStatus.SUSPENDED)
    refused = api.post("/api/estates/", {**estate, "name": "Court"}, format="json")
    assert refused.status_code == 402
    assert api.get(ME).json()["memberships"][0]["subscription_status"] == "suspended"


def test_a_trial_ending_needs_no_write_to_be_seen(api, company, time_machine):
    company.subscription_status = SubscriptionStatus.TRIALING
    company.trial_ends_at = timezone.now() + timezone.timedelta(minutes=2)
    company.save()
    estate = {"name": "Palms", "location": "Ajah", "state": "Lagos"}
    assert api.post("/api/estates/", estate, format="json").status_code == 201
    time_machine.move_to(timezone.now() + timezone.timedelta(minutes=3))  # token still valid
    assert api.post("/api/estates/", {**estate, "name": "Court"}, format="json").status_code == 402


def test_a_deactivated_account_is_refused_on_the_next_request(api, admin):
    assert api.get(ME).status_code == 200
    admin.user.is_active = False
    admin.user.save()
    assert api.get(ME).status_code == 401


def test_a_profile_change_is_seen_by_the_next_request(api, admin):
    assert api.get(ME).json()["first_name"] == admin.user.first_name
    admin.user.first_name = "Chiamaka"
    admin.user.save()
    assert api.get(ME).json()["first_name"] == "Chiamaka"


def test_another_company_header_is_resolved_on_its_own(admin, company):
    from tests.companies.factories import CompanyFactory

    other = MembershipFactory(user=admin.user, company=CompanyFactory(), role="marketer")
    assert client_for(admin.user).get(CLIENTS).status_code == 200
    assert client_for(admin.user, other.company_id).get(CLIENTS).status_code == 403
    assert client_for(admin.user).get(CLIENTS).status_code == 200
