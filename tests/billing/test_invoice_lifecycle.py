"""An invoice's life: raised or run, issued with a number, paid, voided."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.billing.models import Invoice, InvoiceStatus
from apps.billing.periods import Period
from apps.billing.services import invoice_issue, invoice_raise, invoice_void
from apps.core.errors import ConflictError, ValidationFailed
from apps.payments.services import payment_record_offline
from tests.billing.factories import OCTOBER, billed_company, issued_invoice

pytestmark = pytest.mark.django_db


def test_a_raised_invoice_bills_a_full_period_on_the_current_plan(events, commit):
    company = billed_company(since=timezone.localdate())  # no history for October
    with commit():
        invoice = invoice_raise(company_id=company.pk, period=OCTOBER)
    assert (invoice.status, invoice.number) == (InvoiceStatus.ISSUED, "INV-2026-000001")
    assert invoice.total == Decimal("80625.00")
    assert [e["invoice_id"] for e in events.named("invoice_issued")] == [invoice.pk]
    with pytest.raises(ConflictError) as twice:
        invoice_raise(company_id=company.pk, period=OCTOBER)
    assert twice.value.code == "invoice_exists"
    with pytest.raises(ValidationFailed):
        invoice_raise(company_id=company.pk, period=Period.month_of(timezone.localdate()))


def test_a_draft_gets_its_number_when_issued_and_only_then(events, commit):
    company = billed_company()
    draft = invoice_raise(company_id=company.pk, period=OCTOBER, issue=False)
    issued_invoice(company, period=Period.month(2026, 9))  # takes number 1
    assert (draft.status, draft.number) == (InvoiceStatus.DRAFT, None)

    with commit():
        issued = invoice_issue(invoice_id=draft.pk)
        again = invoice_issue(invoice_id=draft.pk)

    assert issued.number == "INV-2026-000002"
    assert issued.due_date == timezone.localdate() + timedelta(days=7)
    assert again.number == issued.number
    assert len(events.named("invoice_issued")) == 1


def test_voiding_needs_a_reason_and_an_unpaid_invoice(events, commit):
    company = billed_company()
    invoice = issued_invoice(company)
    with pytest.raises(ValidationFailed):
        invoice_void(invoice_id=invoice.pk, reason="  ", voided_by_id=None)
    payment_record_offline(
        company_id=company.pk,
        invoice_id=invoice.pk,
        amount=Decimal("100.00"),
        method="cash",
        reference="R-1",
    )
    with commit(), pytest.raises(ConflictError) as refused:
        invoice_void(invoice_id=invoice.pk, reason="Mistake", voided_by_id=None)
    assert refused.value.code == "invoice_not_voidable"
    assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.ISSUED
    assert events.named("invoice_voided") == []


def test_a_void_invoice_is_voided_once(events, commit):
    invoice = issued_invoice(billed_company())
    with commit():
        invoice_void(invoice_id=invoice.pk, reason="Issued in error", voided_by_id=None)
        invoice_void(invoice_id=invoice.pk, reason="Again", voided_by_id=None)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.void_reason) == (InvoiceStatus.VOID, "Issued in error")
    assert [e["reason"] for e in events.named("invoice_voided")] == ["Issued in error"]
