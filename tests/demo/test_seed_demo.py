from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.companies.models import Company, Membership
from apps.demo.management.commands.seed_demo import DEMO_COMPANIES, DEMO_PASSWORD
from apps.estates.models import Estate, Plot, PlotPurchase
from apps.marketers.models import MarketerAffiliation, MarketerEarnedCommission

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def login(email: str) -> APIClient:
    response = APIClient().post(
        "/api/auth/login/", {"email": email, "password": DEMO_PASSWORD}, format="json"
    )
    assert response.status_code == 200, (email, response.content)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    return client


def test_seed_demo_creates_one_company_per_tier_with_working_logins():
    output = seed()
    assert sorted(Company.objects.values_list("subscription_tier", flat=True)) == [
        "enterprise",
        "professional",
        "starter",
    ]
    assert DEMO_PASSWORD in output
    for demo in DEMO_COMPANIES:
        for email in (demo.admin_email, demo.person("marketer", 1), demo.person("client", 1)):
            assert email in output
        company = Membership.objects.get(user__email=demo.admin_email).company
        assert company.is_subscription_active()
        assert login(demo.admin_email).get("/api/company/").json()["id"] == company.pk
        assert len(login(demo.person("client", 1)).get("/api/purchases/").json()["results"]) >= 1
        assert login(demo.person("marketer", 1)).get("/api/commissions/").status_code == 200
    assert User.objects.get(email="billing@estateapp.demo").is_billing_staff


def test_seed_demo_fills_each_company_with_domain_data():
    seed()
    for company in Company.objects.all():
        assert Estate.objects.filter(company=company).exists()
        assert Plot.objects.filter(company=company).count() >= 6
        assert PlotPurchase.objects.filter(company=company, status="completed").exists()
        assert PlotPurchase.objects.filter(company=company, status="pending").exists()
        assert MarketerAffiliation.objects.filter(company=company, status="approved").exists()
        assert MarketerAffiliation.objects.filter(company=company, status="pending").exists()
        assert MarketerEarnedCommission.objects.filter(company=company).exists()


def test_seed_demo_is_idempotent():
    seed()
    counts = {model._meta.label: model.objects.count() for model in apps.get_models()}
    second_output = seed()
    assert {model._meta.label: model.objects.count() for model in apps.get_models()} == counts
    assert "admin@abuja-homes.demo" in second_output


def test_seed_demo_is_refused_in_production(settings):
    settings.DJANGO_ENV = "production"
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=StringIO())
    assert not Company.objects.exists()
