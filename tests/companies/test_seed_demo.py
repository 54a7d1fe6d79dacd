from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.companies.management.commands.seed_demo import DEMO_COMPANIES, DEMO_PASSWORD
from apps.companies.models import Company, Membership

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_creates_one_company_per_tier_with_working_logins():
    output = seed()
    assert sorted(Company.objects.values_list("subscription_tier", flat=True)) == [
        "enterprise",
        "professional",
        "starter",
    ]
    assert DEMO_PASSWORD in output
    for demo in DEMO_COMPANIES:
        assert demo.admin_email in output
        response = APIClient().post(
            "/api/auth/login/",
            {"email": demo.admin_email, "password": DEMO_PASSWORD},
            format="json",
        )
        assert response.status_code == 200
        company = Company.objects.get(slug=demo.slug)
        assert company.is_subscription_active()
        assert Membership.objects.get(company=company).role == "company_admin"
    staff = User.objects.get(email="billing@estateapp.demo")
    assert staff.is_billing_staff


def test_seed_demo_is_idempotent():
    seed()
    counts = (Company.objects.count(), User.objects.count(), Membership.objects.count())
    second_output = seed()
    assert (Company.objects.count(), User.objects.count(), Membership.objects.count()) == counts
    assert "admin@abuja-homes.demo" in second_output


def test_seed_demo_is_refused_in_production(settings):
    settings.DJANGO_ENV = "production"
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=StringIO())
    assert not Company.objects.exists()
