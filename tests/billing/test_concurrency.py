"""Races on PostgreSQL: invoice numbers and payments under concurrent requests."""

from decimal import Decimal

import pytest

from apps.billing.models import Invoice, InvoiceStatus
from apps.billing.services import invoice_issue
from apps.payments.models import Payment
from apps.payments.services import payment_record_offline
from tests.billing.factories import OCTOBER, billed_company, issued_invoice
from tests.concurrency import run_together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("plan_catalogue"),
]


def draft_invoice(company, month):
    from apps.billing.periods import Period

    period = Period.month(2026, month)
    return Invoice.objects.create(
        company=company,
        period_start=period.start,
        period_end=period.end,
        tier=company.subscription_tier,
        subtotal=Decimal("75000.00"),
        tax=Decimal("5625.00"),
        total=Decimal("80625.00"),
    )


def test_concurrent_issues_never_share_or_skip_a_number(events, commit):
    company = billed_company()
    drafts = [draft_invoice(company, month) for month in range(1, 9)]

    outcomes = run_together(
        *[lambda draft=draft: invoice_issue(invoice_id=draft.pk).number for draft in drafts]
    )

    assert all(outcome.ok for outcome in outcomes), outcomes
    numbers = sorted(outcome.value for outcome in outcomes)
    assert numbers == [f"INV-2026-{n:06d}" for n in range(1, 9)]
    assert Invoice.objects.filter(status=InvoiceStatus.ISSUED).count() == 8


def test_two_payments_completing_one_invoice_pay_it_once_without_losing_either():
    invoice = issued_invoice(billed_company(), total=Decimal("80625.00"), period=OCTOBER)

    def pay(reference, amount):
        return lambda: payment_record_offline(
            company_id=invoice.company_id,
            invoice_id=invoice.pk,
            amount=Decimal(amount),
            method="bank_transfer",
            reference=reference,
        )

    outcomes = run_together(pay("TRF-A", "50000.00"), pay("TRF-B", "40000.00"))

    assert all(outcome.ok for outcome in outcomes), outcomes
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert invoice.amount_paid == Decimal("80625.00")
    assert Payment.objects.count() == 2
    # Exactly one payment completed it; the ₦9,375.00 beyond the balance is a credit.
    assert sorted(outcome.value.overpayment for outcome in outcomes) == [
        Decimal("0.00"),
        Decimal("9375.00"),
    ]


def test_the_same_transfer_recorded_twice_at_once_is_recorded_once():
    invoice = issued_invoice(billed_company(), period=OCTOBER)

    def pay():
        return payment_record_offline(
            company_id=invoice.company_id,
            invoice_id=invoice.pk,
            amount=Decimal("1000.00"),
            method="bank_transfer",
            reference="TRF-SAME",
        )

    outcomes = run_together(pay, pay)

    assert all(outcome.ok for outcome in outcomes), outcomes
    assert sorted(outcome.value.created for outcome in outcomes) == [False, True]
    invoice.refresh_from_db()
    assert invoice.amount_paid == Decimal("1000.00")


def test_two_monthly_runs_at_once_invoice_each_company_once():
    from apps.billing.services import monthly_invoices_generate

    for _ in range(6):
        billed_company()

    outcomes = run_together(
        lambda: monthly_invoices_generate(period=OCTOBER, batch_size=2).invoiced,
        lambda: monthly_invoices_generate(period=OCTOBER, batch_size=2).invoiced,
    )

    assert all(outcome.ok for outcome in outcomes), outcomes
    assert sum(outcome.value for outcome in outcomes) == 6
    assert Invoice.objects.count() == 6
    assert sorted(Invoice.objects.values_list("number", flat=True)) == [
        f"INV-2026-{n:06d}" for n in range(1, 7)
    ]
