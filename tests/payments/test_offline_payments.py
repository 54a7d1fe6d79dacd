"""Recording bank transfers and cash, and what they do to invoices and companies."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.billing.models import Credit, CreditAllocation, Invoice, InvoiceStatus
from apps.billing.periods import Period
from apps.billing.services import dunning_run, invoice_void
from apps.companies.models import SubscriptionStatus
from apps.core.errors import NotFoundError, ValidationFailed
from apps.payments.errors import DuplicateReference
from apps.payments.models import Payment
from apps.payments.services import payment_record_offline
from tests.billing.factories import billed_company, issued_invoice
from tests.companies.factories import CompanyFactory

pytestmark = pytest.mark.django_db


def pay(invoice, amount, reference="TRF-001", method="bank_transfer", company=None):
    return payment_record_offline(
        company_id=(company or invoice.company).pk,
        invoice_id=invoice.pk,
        amount=Decimal(amount),
        method=method,
        reference=reference,
    )


def test_payments_add_up_and_the_last_one_pays_the_invoice(events, commit):
    invoice = issued_invoice(billed_company(), total=Decimal("80625.00"))

    with commit():
        first = pay(invoice, "50000.00", "TRF-1")
        second = pay(invoice, "30625.00", "CASH-7", method="cash")

    invoice.refresh_from_db()
    assert (invoice.status, invoice.amount_paid, invoice.balance) == (
        InvoiceStatus.PAID,
        Decimal("80625.00"),
        Decimal("0.00"),
    )
    assert invoice.paid_at is not None
    assert (first.created, first.invoice_paid, second.invoice_paid) == (True, False, True)
    assert [e["payment_id"] for e in events.named("payment_succeeded")] == [
        first.payment_id,
        second.payment_id,
    ]
    assert [e["invoice_id"] for e in events.named("invoice_paid")] == [invoice.pk]


def test_an_overpayment_becomes_a_credit():
    invoice = issued_invoice(billed_company(), total=Decimal("80625.00"))
    result = pay(invoice, "100000.00")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert invoice.amount_paid == Decimal("80625.00")
    assert result.overpayment == Decimal("19375.00")
    credit = Credit.objects.get(company=invoice.company)
    assert (credit.amount, credit.remaining) == (Decimal("19375.00"), Decimal("19375.00"))
    assert invoice.number in credit.reason


def test_the_same_transfer_recorded_twice_changes_nothing_and_says_so(events, commit):
    invoice = issued_invoice(billed_company())
    pay(invoice, "1000.00")
    with commit():
        again = pay(invoice, "1000.00")
    invoice.refresh_from_db()
    assert again.created is False
    assert invoice.amount_paid == Decimal("1000.00")
    assert Payment.objects.count() == 1
    assert events.sent == []


def test_a_reference_reused_for_another_payment_is_refused():
    invoice = issued_invoice(billed_company())
    pay(invoice, "1000.00")
    with pytest.raises(DuplicateReference):
        pay(invoice, "2000.00")
    invoice.refresh_from_db()
    assert invoice.amount_paid == Decimal("1000.00")


@pytest.mark.parametrize(
    ("amount", "field"),
    [("0", "amount"), ("-5.00", "amount"), ("10.001", "amount"), ("NaN", "amount")],
)
def test_bad_amounts_are_refused_and_nothing_changes(amount, field, events, commit):
    invoice = issued_invoice(billed_company())
    with commit(), pytest.raises(ValidationFailed) as refused:
        pay(invoice, amount)
    assert field in refused.value.details
    assert not Payment.objects.exists()
    invoice.refresh_from_db()
    assert invoice.amount_paid == 0
    assert events.sent == []


def test_another_companys_invoice_is_not_found_and_nothing_changes():
    invoice = issued_invoice(billed_company())
    with pytest.raises(NotFoundError):
        pay(invoice, "1000.00", company=CompanyFactory())
    assert not Payment.objects.exists()


def test_a_void_invoice_takes_no_payment():
    invoice = issued_invoice(billed_company())
    invoice_void(invoice_id=invoice.pk, reason="Issued in error", voided_by_id=None)
    with pytest.raises(Exception) as refused:
        pay(invoice, "1000.00")
    assert getattr(refused.value, "code", None) == "invoice_not_payable"
    assert not Payment.objects.exists()


def test_a_method_other_than_transfer_or_cash_is_refused():
    invoice = issued_invoice(billed_company())
    with pytest.raises(ValidationFailed):
        pay(invoice, "1000.00", method="stripe")


# --- dunning -------------------------------------------------------------------------------------


def test_an_unpaid_invoice_goes_overdue_then_the_company_is_suspended_then_paying_restores_it(
    settings, events, commit
):
    settings.BILLING_GRACE_DAYS = 14
    company = billed_company()
    today = timezone.localdate()
    invoice = issued_invoice(company, due_date=today - timedelta(days=1))

    with commit():
        first = dunning_run(today=today)
    invoice.refresh_from_db()
    company.refresh_from_db()
    assert (first.overdue, first.suspended) == (1, 0)
    assert invoice.status == InvoiceStatus.OVERDUE
    assert company.subscription_status == SubscriptionStatus.PAST_DUE
    assert [e["invoice_id"] for e in events.named("invoice_overdue")] == [invoice.pk]

    later = dunning_run(today=today + timedelta(days=13))
    company.refresh_from_db()
    assert (later.overdue, later.suspended, company.subscription_status) == (
        0,
        1,
        SubscriptionStatus.SUSPENDED,
    )
    assert company.suspension_reason == "unpaid_invoices"
    assert dunning_run(today=today + timedelta(days=14)).suspended == 0  # already suspended

    pay(invoice, str(invoice.total))
    company.refresh_from_db()
    assert company.subscription_status == SubscriptionStatus.ACTIVE
    assert company.suspension_reason == ""


def test_billing_does_not_lift_a_suspension_it_did_not_make():
    company = billed_company(
        status=SubscriptionStatus.SUSPENDED, suspension_reason="terms_violation"
    )
    invoice = issued_invoice(company)
    pay(invoice, str(invoice.total))
    company.refresh_from_db()
    assert company.subscription_status == SubscriptionStatus.SUSPENDED


def test_paying_one_overdue_invoice_of_two_keeps_the_company_suspended():
    company = billed_company()
    today = timezone.localdate()
    first = issued_invoice(company, due_date=today - timedelta(days=30))
    issued_invoice(
        company,
        due_date=today - timedelta(days=20),
        period=Period.month(2026, 9),
    )
    dunning_run(today=today)
    pay(first, str(first.total))
    company.refresh_from_db()
    assert company.subscription_status == SubscriptionStatus.SUSPENDED


def test_voiding_gives_back_the_credits_an_invoice_used():
    company = billed_company()
    credit = Credit.objects.create(company=company, amount=5000, remaining=0, reason="goodwill")
    invoice = issued_invoice(company)
    CreditAllocation.objects.create(credit=credit, invoice=invoice, amount=5000)

    invoice_void(invoice_id=invoice.pk, reason="Wrong plan", voided_by_id=None)

    credit.refresh_from_db()
    invoice.refresh_from_db()
    assert credit.remaining == Decimal("5000.00")
    assert (invoice.status, invoice.void_reason, invoice.number) == (
        InvoiceStatus.VOID,
        "Wrong plan",
        invoice.number,
    )
    assert Invoice.objects.filter(number=invoice.number).exists()  # it keeps its number
