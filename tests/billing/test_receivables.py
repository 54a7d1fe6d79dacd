"""billing.selectors.receivables_at: what each company owed at a moment, as it was then."""

from datetime import date
from decimal import Decimal

import pytest

from apps.billing.models import Invoice
from apps.billing.periods import Period
from apps.billing.selectors import receivables_at
from apps.payments.services import payment_record_offline
from tests.billing.factories import at, billed_company, issued_invoice

pytestmark = pytest.mark.django_db


def _invoice(company, total: str, *, issued: date, due: date, month: int = 9) -> Invoice:
    invoice = issued_invoice(
        company, total=Decimal(total), due_date=due, period=Period.month(2026, month)
    )
    Invoice.objects.filter(pk=invoice.pk).update(issued_at=at(issued, 1))
    return invoice


def test_balances_before_and_after_payments_voids_and_due_dates():
    company, other = billed_company(), billed_company()
    paid = _invoice(company, "1000.00", issued=date(2026, 10, 1), due=date(2026, 10, 8))
    voided = _invoice(company, "500.00", issued=date(2026, 10, 1), due=date(2026, 10, 8), month=8)
    Invoice.objects.filter(pk=voided.pk).update(status="void", voided_at=at(date(2026, 10, 5)))
    _invoice(other, "300.00", issued=date(2026, 10, 10), due=date(2026, 10, 20))
    payment_record_offline(
        company_id=company.pk,
        invoice_id=paid.pk,
        amount=Decimal("400.00"),
        method="cash",
        reference="R1",
        paid_at=at(date(2026, 10, 12)),
    )

    assert receivables_at(at=at(date(2026, 9, 30))) == {}
    on_the_4th = receivables_at(at=at(date(2026, 10, 4)))
    assert (on_the_4th[company.pk].outstanding, on_the_4th[company.pk].overdue) == (
        Decimal("1500.00"),
        Decimal("0.00"),
    )
    on_the_9th = receivables_at(at=at(date(2026, 10, 9)))
    assert (on_the_9th[company.pk].outstanding, on_the_9th[company.pk].overdue) == (
        Decimal("1000.00"),
        Decimal("1000.00"),
    )
    assert other.pk not in on_the_9th
    on_the_21st = receivables_at(at=at(date(2026, 10, 21)))
    assert on_the_21st[company.pk].outstanding == Decimal("600.00")
    assert (on_the_21st[other.pk].outstanding, on_the_21st[other.pk].overdue) == (
        Decimal("300.00"),
        Decimal("300.00"),
    )
