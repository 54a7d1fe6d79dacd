"""Wherever the API takes a phone number it stores it in E.164 (0803… becomes +234803…),
and refuses a bad one with a 400 that names the field, changing nothing."""

from typing import Any

import pytest

from apps.accounts.models import User
from apps.companies.models import Company
from apps.core.phones import INVALID_PHONE_MESSAGE
from apps.estates.models import Client
from apps.marketers.models import MarketerAffiliation, MarketerProfile
from tests.accounts.factories import UserFactory
from tests.companies.factories import CompanyFactory
from tests.conftest import client_for
from tests.estates.factories import ClientFactory
from tests.marketers.factories import MarketerProfileFactory

pytestmark = pytest.mark.django_db

TYPED = "0803 123 4567"
STORED = "+2348031234567"
BAD = "0803 123"


def assert_refused_naming_phone(response: Any) -> None:
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["details"] == {"phone": [INVALID_PHONE_MESSAGE]}


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row that a phone could reach, as it is."""
    return {
        "users": list(User.objects.order_by("pk").values_list("pk", "email", "phone")),
        "companies": list(Company.objects.order_by("pk").values_list("pk", "name", "phone")),
        "clients": list(Client.objects.order_by("pk").values_list("pk", "email", "phone")),
        "profiles": list(MarketerProfile.objects.order_by("pk").values_list("pk", "phone")),
        "affiliations": list(MarketerAffiliation.objects.values_list("pk", flat=True)),
    }


def me_update(ctx: dict[str, Any], phone: str) -> Any:
    return client_for(ctx["admin_user"]).patch("/api/auth/me/", {"phone": phone}, format="json")


def company_update(ctx: dict[str, Any], phone: str) -> Any:
    return ctx["admin_client"].patch("/api/company/", {"phone": phone}, format="json")


def client_create(ctx: dict[str, Any], phone: str) -> Any:
    body = {"email": "chioma@example.ng", "phone": phone}
    return ctx["admin_client"].post("/api/clients/", body, format="json")


def client_update(ctx: dict[str, Any], phone: str) -> Any:
    url = f"/api/clients/{ctx['client'].pk}/"
    return ctx["admin_client"].patch(url, {"phone": phone}, format="json")


def company_signup(ctx: dict[str, Any], phone: str) -> Any:
    body = {
        "company_name": "Abuja Homes Ltd",
        "email": "musa@abujahomes.ng",
        "password": "Strong-Pass-2026",
        "phone": phone,
    }
    return ctx["api_client"].post("/api/signup/", body, format="json")


def company_create(ctx: dict[str, Any], phone: str) -> Any:
    body = {"name": "Lekki Gardens", "phone": phone}
    return client_for(ctx["admin_user"]).post("/api/companies/", body, format="json")


def marketer_signup(ctx: dict[str, Any], phone: str) -> Any:
    body = {"email": "chioma@realtors.ng", "password": "Strong-Pass-2026", "phone": phone}
    return ctx["api_client"].post("/api/marketers/signup/", body, format="json")


def marketer_apply(ctx: dict[str, Any], phone: str) -> Any:
    body = {"company": ctx["company"].slug, "phone": phone}
    return client_for(ctx["applicant"]).post("/api/marketer/affiliations/", body, format="json")


ENDPOINTS = [
    me_update,
    company_update,
    client_create,
    client_update,
    company_signup,
    company_create,
    marketer_signup,
    marketer_apply,
]


@pytest.fixture
def ctx(api_client, company, admin_user, admin_client) -> dict[str, Any]:
    return {
        "api_client": api_client,
        "company": company,
        "admin_user": admin_user,
        "admin_client": admin_client,
        # Made up front, so a snapshot taken before a request sees them.
        "client": ClientFactory(company=company),
        "applicant": UserFactory(),
    }


@pytest.mark.parametrize("send", ENDPOINTS, ids=lambda send: send.__name__)
def test_a_bad_phone_is_refused_naming_the_field_and_nothing_changes(ctx, send, commit):
    before = snapshot()

    with commit():
        response = send(ctx, BAD)

    assert_refused_naming_phone(response)
    assert snapshot() == before


def test_me_stores_and_answers_e164(ctx):
    response = me_update(ctx, TYPED)

    assert response.status_code == 200, response.content
    assert response.json()["phone"] == STORED
    assert User.objects.get(pk=ctx["admin_user"].pk).phone == STORED


def test_me_can_clear_the_phone(ctx):
    User.objects.filter(pk=ctx["admin_user"].pk).update(phone=STORED)

    assert me_update(ctx, "").status_code == 200
    assert User.objects.get(pk=ctx["admin_user"].pk).phone == ""


def test_company_profile_stores_e164(ctx):
    response = company_update(ctx, "+234 803 123 4567")

    assert response.status_code == 200, response.content
    assert response.json()["phone"] == STORED
    assert Company.objects.get(pk=ctx["company"].pk).phone == STORED


def test_a_recorded_client_and_its_update_store_e164(ctx, commit):
    with commit():
        created = client_create(ctx, TYPED)
    assert created.status_code == 201, created.content
    assert created.json()["phone"] == STORED
    client = Client.objects.get(pk=created.json()["id"])
    assert client.phone == STORED

    updated = client_update(ctx, "0701 234 5678")
    assert updated.status_code == 200, updated.content
    assert updated.json()["phone"] == "+2347012345678"
    assert Client.objects.get(pk=ctx["client"].pk).phone == "+2347012345678"


def test_company_signup_stores_e164_on_the_account_and_the_company(ctx, commit):
    with commit():
        assert company_signup(ctx, TYPED).status_code == 202

    user = User.objects.get(email="musa@abujahomes.ng")
    assert user.phone == STORED
    assert Company.objects.get(name="Abuja Homes Ltd").phone == STORED


def test_company_create_stores_e164(ctx, commit):
    with commit():
        response = company_create(ctx, TYPED)

    assert response.status_code == 201, response.content
    assert Company.objects.get(name="Lekki Gardens").phone == STORED


def test_marketer_signup_and_apply_store_e164(ctx, commit):
    with commit():
        assert marketer_signup(ctx, TYPED).status_code == 202
    user = User.objects.get(email="chioma@realtors.ng")
    assert user.phone == STORED
    assert MarketerProfile.objects.get(user=user).phone == STORED

    with commit():
        response = client_for(ctx["applicant"]).post(
            "/api/marketer/affiliations/",
            {"company": ctx["company"].slug, "phone": "0812 345 6789"},
            format="json",
        )
    assert response.status_code == 201, response.content
    assert MarketerProfile.objects.get(user=ctx["applicant"]).phone == "+2348123456789"


def test_a_local_number_from_a_service_caller_is_stored_e164_too(company, admin_user):
    """Callers that are not the API (demo data, scripts) go through the same rule."""
    from apps.estates.services import client_create as create

    client = create(company_id=company.pk, email="ada@example.ng", phone="08030000001")

    assert client.phone == "+2348030000001"


def test_the_data_migrations_rewrite_valid_stored_numbers_and_leave_the_rest(company):
    """Each app's migration: valid numbers typed the local way become E.164; numbers that
    are not valid, and ones already in E.164, are left alone."""
    from importlib import import_module

    from django.apps import apps as django_apps

    typed = ["0803 123 4567", "0803", "+2347012345678", ""]
    expected = [STORED, "0803", "+2347012345678", ""]
    rows = {
        "accounts.0004_phones_in_e164": [UserFactory(phone=phone) for phone in typed],
        "companies.0008_phones_in_e164": [CompanyFactory(phone=phone) for phone in typed],
        "estates.0006_phones_in_e164": [
            ClientFactory(company=company, phone=phone) for phone in typed
        ],
        "marketers.0002_phones_in_e164": [MarketerProfileFactory(phone=phone) for phone in typed],
    }
    for migration, made in rows.items():
        app, name = migration.split(".")
        import_module(f"apps.{app}.migrations.{name}").phones_in_e164(django_apps, None)

        assert [type(row).objects.get(pk=row.pk).phone for row in made] == expected, migration
