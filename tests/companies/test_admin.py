import pytest
from django.test import Client

from apps.accounts.services import user_grant_billing_staff
from tests.accounts.factories import UserFactory
from tests.companies.factories import CompanyFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def billing_staff_client():
    staff = UserFactory()
    user_grant_billing_staff(user_id=staff.pk)
    client = Client()
    client.force_login(staff)
    return client


def test_billing_staff_see_companies_and_plans(billing_staff_client):
    company = CompanyFactory(name="Visible Realty")
    MembershipFactory(company=company)
    listing = billing_staff_client.get("/admin/companies/company/?q=Visible")
    assert listing.status_code == 200
    assert "Visible Realty" in listing.content.decode()
    assert (
        billing_staff_client.get(f"/admin/companies/company/{company.pk}/change/").status_code
        == 200
    )
    assert billing_staff_client.get("/admin/companies/plan/").status_code == 200
    assert billing_staff_client.get("/admin/companies/apikey/").status_code == 200


def test_billing_staff_cannot_manage_users(billing_staff_client):
    assert billing_staff_client.get("/admin/accounts/user/").status_code == 403


def test_company_users_cannot_enter_the_admin():
    client = Client()
    client.force_login(MembershipFactory().user)
    response = client.get("/admin/companies/company/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_plans_cannot_be_deleted_and_company_plans_move_only_by_actions(billing_staff_client):
    from apps.companies.models import Company, Plan

    plan = Plan.objects.get(code="starter")
    assert billing_staff_client.get(f"/admin/companies/plan/{plan.pk}/delete/").status_code == 403
    company = CompanyFactory(subscription_tier="starter", max_plots=100)
    page = billing_staff_client.get(
        f"/admin/companies/company/{company.pk}/change/"
    ).content.decode()
    assert 'name="subscription_tier"' not in page
    assert 'name="max_plots"' not in page

    response = billing_staff_client.post(
        "/admin/companies/company/",
        {"action": "move_to_enterprise", "_selected_action": [company.pk]},
    )
    assert response.status_code == 302
    company = Company.objects.get(pk=company.pk)
    assert (company.subscription_tier, company.max_plots) == ("enterprise", 10000)
