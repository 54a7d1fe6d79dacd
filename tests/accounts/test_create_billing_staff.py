"""create_billing_staff: an admin account with the billing staff group's permissions only."""

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from apps.accounts.models import BILLING_STAFF_GROUP, User
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

STAFF_PASSWORD = "Ledger-Keeper-2026"


def test_noinput_creates_a_billing_staff_account_that_is_no_superuser(monkeypatch) -> None:
    monkeypatch.setenv("BILLING_STAFF_PASSWORD", STAFF_PASSWORD)

    call_command("create_billing_staff", "--email", " Ada@EstateApp.ng ", "--noinput")

    user = User.objects.get(email="ada@estateapp.ng")
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == [BILLING_STAFF_GROUP]
    assert user.email_verified_at is not None
    assert user.has_perm("billing.view_invoice")
    assert not user.has_perm("accounts.change_user")
    client = Client()
    assert client.login(email="ada@estateapp.ng", password=STAFF_PASSWORD)
    assert client.get("/admin/").status_code == 200


def test_the_password_is_asked_for_twice(monkeypatch) -> None:
    answers = iter([STAFF_PASSWORD, STAFF_PASSWORD])
    monkeypatch.setattr(
        "apps.accounts.management.commands.create_billing_staff.getpass",
        lambda prompt: next(answers),
    )

    call_command("create_billing_staff", "--email", "ada@estateapp.ng")

    assert User.objects.get(email="ada@estateapp.ng").check_password(STAFF_PASSWORD)


def test_passwords_that_differ_create_nothing(monkeypatch) -> None:
    answers = iter([STAFF_PASSWORD, STAFF_PASSWORD + "x"])
    monkeypatch.setattr(
        "apps.accounts.management.commands.create_billing_staff.getpass",
        lambda prompt: next(answers),
    )

    with pytest.raises(CommandError, match="The passwords differ"):
        call_command("create_billing_staff", "--email", "ada@estateapp.ng")
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("password", "problem"),
    [("", "--noinput takes the password from BILLING_STAFF_PASSWORD"), ("short", "too short")],
)
def test_a_missing_or_weak_password_creates_nothing(monkeypatch, password, problem) -> None:
    monkeypatch.setenv("BILLING_STAFF_PASSWORD", password)

    with pytest.raises(CommandError, match=problem):
        call_command("create_billing_staff", "--email", "ada@estateapp.ng", "--noinput")
    assert not User.objects.exists()


def test_a_bad_email_creates_nothing(monkeypatch) -> None:
    monkeypatch.setenv("BILLING_STAFF_PASSWORD", STAFF_PASSWORD)

    with pytest.raises(CommandError, match="is not an email address"):
        call_command("create_billing_staff", "--email", "ada-at-estateapp", "--noinput")
    assert not User.objects.exists()


def test_an_existing_account_keeps_its_password_and_gets_the_role(monkeypatch) -> None:
    monkeypatch.setenv("BILLING_STAFF_PASSWORD", STAFF_PASSWORD)
    user = UserFactory(email="ada@estateapp.ng")

    call_command("create_billing_staff", "--email", "ada@estateapp.ng", "--noinput")

    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert user.is_staff and not user.is_superuser
    assert user.groups.filter(name=BILLING_STAFF_GROUP).exists()
