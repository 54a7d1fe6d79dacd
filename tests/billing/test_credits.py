"""Credits given and corrected by billing staff (the services behind the admin)."""

from decimal import Decimal

import pytest

from apps.billing.models import Credit
from apps.billing.services import credit_create, credit_update, invoice_raise
from apps.core.errors import ConflictError, ValidationFailed
from tests.billing.factories import OCTOBER, billed_company

pytestmark = pytest.mark.django_db


def part_used_credit(amount="5000", used="2000"):
    credit = credit_create(
        company_id=billed_company().pk,
        amount=Decimal(amount),
        reason="Goodwill",
        created_by_id=None,
    )
    Credit.objects.filter(pk=credit.pk).update(remaining=Decimal(amount) - Decimal(used))
    return credit


def test_an_unused_credit_takes_a_new_amount_and_reason():
    credit = credit_create(
        company_id=billed_company().pk, amount=Decimal("5000"), reason="Typo", created_by_id=None
    )
    credit_update(credit_id=credit.pk, amount=Decimal("6000.00"), reason="  Corrected  ")
    credit.refresh_from_db()
    assert (credit.amount, credit.remaining, credit.reason) == (
        Decimal("6000.00"),
        Decimal("6000.00"),
        "Corrected",
    )


def test_a_used_credit_keeps_what_is_left_when_its_reason_changes():
    company = billed_company()
    credit = credit_create(
        company_id=company.pk, amount=Decimal("5000"), reason="Goodwill", created_by_id=None
    )
    invoice_raise(company_id=company.pk, period=OCTOBER)  # uses all of it

    credit_update(credit_id=credit.pk, amount=Decimal("5000.00"), reason="Outage goodwill")

    credit.refresh_from_db()
    # Before the fix the reason's edit also reset what was left, giving the credit twice.
    assert (credit.amount, credit.remaining, credit.reason) == (
        Decimal("5000.00"),
        Decimal("0.00"),
        "Outage goodwill",
    )


@pytest.mark.parametrize(
    ("amount", "reason", "error"),
    [
        ("7000.00", "More", ConflictError),
        ("0", "Nothing", ValidationFailed),
        ("1.001", "Sub-kobo", ValidationFailed),
        ("5000.00", "   ", ValidationFailed),
    ],
)
def test_a_refused_correction_changes_nothing(amount, reason, error):
    credit = part_used_credit()

    with pytest.raises(error):
        credit_update(credit_id=credit.pk, amount=Decimal(amount), reason=reason)

    credit.refresh_from_db()
    assert (credit.amount, credit.remaining, credit.reason) == (
        Decimal("5000.00"),
        Decimal("3000.00"),
        "Goodwill",
    )
