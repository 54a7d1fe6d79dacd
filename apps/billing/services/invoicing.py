"""Invoices: written from the calculator, issued with a number, paid, voided."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.billing import signals
from apps.billing.calculator import InvoiceCalculation, calculate_invoice
from apps.billing.errors import ChargedByCard, ErrorCode, InvoiceNotPayable
from apps.billing.models import (
    OPEN_STATUSES,
    Credit,
    CreditAllocation,
    Invoice,
    InvoiceLine,
    InvoiceSource,
    InvoiceStatus,
)
from apps.billing.numbering import lock_sequence, take_numbers
from apps.billing.periods import Period
from apps.billing.selectors import InvoicePdf
from apps.billing.services.dunning import company_settle_if_paid_up
from apps.billing.services.inputs import available_credits, invoice_inputs
from apps.companies.selectors import TierDays, billing_account
from apps.core.errors import ConflictError, ValidationFailed
from apps.core.events import publish
from apps.core.money import round_kobo
from apps.core.row_changes import RowChange, rows_changed_send

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class Draft:
    """An invoice to write: a company, its period, and what the calculator made of it."""

    company_id: int
    tier: str
    calculation: InvoiceCalculation


def allocate_credits(
    invoice: Invoice, credits: list[Credit], amount: Decimal
) -> list[CreditAllocation]:
    """Use ``amount`` of the company's credits, oldest first (they are locked)."""
    allocations = []
    for credit in credits:
        if amount <= 0:
            break
        used = min(credit.remaining, amount)
        if used <= 0:
            continue
        credit.remaining -= used
        amount -= used
        allocations.append(CreditAllocation(credit=credit, invoice=invoice, amount=used))
    return allocations


def invoices_write(
    *,
    drafts: Iterable[Draft],
    period: Period,
    credits: dict[int, list[Credit]],
    issue: bool,
    source: str = InvoiceSource.INTERNAL,
) -> list[Invoice]:
    """Write the drafts' invoices with their lines and credit allocations in a fixed
    number of queries, issuing them (numbered, due in BILLING_NET_DAYS) if ``issue``.

    Call inside a transaction holding the credits' row locks (and, when issuing, the
    year's sequence lock, taken before reading which invoices exist).
    """
    drafts = list(drafts)
    if not drafts:
        return []
    now = timezone.now()
    today = timezone.localdate(now)
    numbers: list[str | None] = [None] * len(drafts)
    if issue:
        numbers = take_numbers(lock_sequence(today.year), len(drafts))
    invoices = [
        Invoice(
            company_id=draft.company_id,
            source=source,
            number=number,
            period_start=period.start,
            period_end=period.end,
            tier=draft.tier,
            subtotal=draft.calculation.subtotal,
            overage=draft.calculation.overage,
            credits_applied=draft.calculation.credits_used,
            vat_rate=settings.VAT_RATE,
            tax=draft.calculation.vat,
            total=draft.calculation.total,
            status=_issued_status(draft.calculation.total) if issue else InvoiceStatus.DRAFT,
            issued_at=now if issue else None,
            paid_at=now if issue and draft.calculation.total == 0 else None,
            due_date=today + timedelta(days=settings.BILLING_NET_DAYS) if issue else None,
        )
        for draft, number in zip(drafts, numbers, strict=True)
    ]
    Invoice.objects.bulk_create(invoices)
    lines = [
        InvoiceLine(
            invoice=invoice,
            position=position,
            kind=line.kind,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            amount=line.amount,
        )
        for invoice, draft in zip(invoices, drafts, strict=True)
        for position, line in enumerate(draft.calculation.lines)
    ]
    InvoiceLine.objects.bulk_create(lines)
    allocations = [
        allocation
        for invoice, draft in zip(invoices, drafts, strict=True)
        for allocation in allocate_credits(
            invoice, credits.get(draft.company_id, []), draft.calculation.credits_used
        )
    ]
    if allocations:
        CreditAllocation.objects.bulk_create(allocations)
        used = {allocation.credit.pk: allocation.credit for allocation in allocations}
        for credit in used.values():
            credit.updated_at = timezone.now()
        Credit.objects.bulk_update(list(used.values()), ["remaining", "updated_at"])
        spent: dict[int, Decimal] = {}
        for allocation in allocations:
            spent[allocation.credit.pk] = spent.get(allocation.credit.pk, ZERO) + allocation.amount
        rows_changed_send(
            model=Credit,
            action="update",
            rows=[
                RowChange(
                    object_id=credit.pk,
                    company_id=credit.company_id,
                    changes={"remaining": (credit.remaining + spent[credit.pk], credit.remaining)},
                )
                for credit in used.values()
            ],
        )
    if issue:
        for invoice in invoices:
            _publish_issued(invoice, in_batch=True)
        publish(
            signals.invoices_issued,
            sender=Invoice,
            invoice_ids=[invoice.pk for invoice in invoices],
        )
    return invoices


def _issued_status(total: Decimal) -> str:
    # Credits can cover a whole invoice: there is nothing to pay, so it is paid.
    return InvoiceStatus.PAID if total == 0 else InvoiceStatus.ISSUED


def _publish_issued(invoice: Invoice, *, in_batch: bool = False) -> None:
    publish(
        signals.invoice_issued,
        sender=Invoice,
        invoice_id=invoice.pk,
        company_id=invoice.company_id,
        number=invoice.number,
        total=invoice.total,
        due_date=invoice.due_date,
        source=invoice.source,
        in_batch=in_batch,
    )
    if invoice.status == InvoiceStatus.PAID:
        publish_paid(invoice, in_batch=in_batch)


def publish_paid(invoice: Invoice, *, in_batch: bool = False) -> None:
    publish(
        signals.invoice_paid,
        sender=Invoice,
        invoice_id=invoice.pk,
        company_id=invoice.company_id,
        number=invoice.number,
        total=invoice.total,
        paid_at=invoice.paid_at,
        in_batch=in_batch,
    )


def _locked(invoice_id: int, company_id: int | None = None) -> Invoice:
    invoices = Invoice.objects.all()
    if company_id is not None:
        invoices = invoices.for_company(company_id)
    return invoices.get_for(invoice_id, lock=True)


def _refuse_card_invoice(invoice: Invoice) -> None:
    # A card invoice is the gateway's: numbering, voiding or paying it here would make
    # billing disagree with what the gateway charges.
    if invoice.source != InvoiceSource.INTERNAL:
        raise ChargedByCard(details={"source": invoice.source})


@transaction.atomic
def invoice_issue(*, invoice_id: int) -> Invoice:
    """draft -> issued: numbered (gap-free, this year), due in BILLING_NET_DAYS.
    Issuing an issued invoice changes nothing; a card invoice is refused (409)."""
    sequence_year = timezone.localdate().year
    sequence = lock_sequence(sequence_year)
    invoice = _locked(invoice_id)
    _refuse_card_invoice(invoice)
    if invoice.status != InvoiceStatus.DRAFT:
        if invoice.number:
            return invoice
        raise ConflictError(
            f"A {invoice.status} invoice cannot be issued.", code=ErrorCode.INVOICE_NOT_ISSUABLE
        )
    [invoice.number] = take_numbers(sequence, 1)
    invoice.status = _issued_status(invoice.total)
    invoice.issued_at = timezone.now()
    invoice.paid_at = invoice.issued_at if invoice.status == InvoiceStatus.PAID else None
    invoice.due_date = timezone.localdate() + timedelta(days=settings.BILLING_NET_DAYS)
    invoice.save(
        update_fields=["number", "status", "issued_at", "paid_at", "due_date", "updated_at"]
    )
    _publish_issued(invoice)
    return invoice


@transaction.atomic
def invoice_void(*, invoice_id: int, reason: str, voided_by_id: int | None) -> Invoice:
    """Void an unpaid invoice (a draft, issued or overdue one), with a reason; the
    credits it used are given back. Voiding a void invoice changes nothing; a card
    invoice is refused (409: it is voided at the gateway)."""
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(details={"reason": ["Say why the invoice is voided."]})
    invoice = _locked(invoice_id)
    _refuse_card_invoice(invoice)
    if invoice.status == InvoiceStatus.VOID:
        return invoice
    if invoice.status == InvoiceStatus.PAID or invoice.amount_paid > 0:
        raise ConflictError(
            "An invoice that has taken payments cannot be voided.",
            code=ErrorCode.INVOICE_NOT_VOIDABLE,
        )
    release_credits(invoice)
    invoice.status = InvoiceStatus.VOID
    invoice.voided_at = timezone.now()
    invoice.void_reason = reason
    invoice.save(update_fields=["status", "voided_at", "void_reason", "updated_at"])
    publish(
        signals.invoice_voided,
        sender=Invoice,
        invoice_id=invoice.pk,
        company_id=invoice.company_id,
        number=invoice.number,
        reason=reason,
        voided_by_id=voided_by_id,
    )
    return invoice


def release_credits(invoice: Invoice) -> None:
    """Give back the credits a voided invoice used: they count towards the next ones."""
    for allocation in invoice.allocations.select_related("credit").select_for_update():
        allocation.credit.remaining += allocation.amount
        allocation.credit.save(update_fields=["remaining", "updated_at"])


@dataclass(frozen=True, slots=True)
class PaymentApplied:
    invoice_id: int
    number: str
    amount_paid: Decimal
    balance: Decimal
    paid_now: bool  # this payment completed the invoice
    overpayment: Decimal  # what went beyond the balance, kept as a credit


@transaction.atomic
def invoice_apply_payment(
    *, company_id: int, invoice_id: int, amount: Decimal, paid_at: datetime
) -> PaymentApplied:
    """Add a payment to one of the company's open invoices (locked, so concurrent
    payments add up). The invoice is paid when the payments reach its total; anything
    beyond the balance becomes a credit for the next invoices. A card invoice is
    refused (409): the gateway collects it."""
    amount = round_kobo(amount)
    if amount <= 0:
        raise ValidationFailed(details={"amount": ["A payment is more than zero."]})
    invoice = _locked(invoice_id, company_id)
    _refuse_card_invoice(invoice)
    if invoice.status not in OPEN_STATUSES:
        raise InvoiceNotPayable(
            f"Invoice {invoice} is {invoice.status}: it takes no payments.",
            details={"status": invoice.status},
        )
    overpayment = max(invoice.amount_paid + amount - invoice.total, ZERO)
    invoice.amount_paid += amount - overpayment
    paid_now = invoice.amount_paid >= invoice.total
    if paid_now:
        invoice.status = InvoiceStatus.PAID
        invoice.paid_at = paid_at
    invoice.save(update_fields=["amount_paid", "status", "paid_at", "updated_at"])
    if overpayment:
        Credit.objects.create(
            company_id=company_id,
            amount=overpayment,
            remaining=overpayment,
            reason=f"Overpayment of invoice {invoice.number}",
        )
    if paid_now:
        company_settle_if_paid_up(company_id=company_id)
        publish_paid(invoice)
    return PaymentApplied(
        invoice_id=invoice.pk,
        number=invoice.number or "",
        amount_paid=invoice.amount_paid,
        balance=invoice.balance,
        paid_now=paid_now,
        overpayment=overpayment,
    )


@transaction.atomic
def invoice_raise(*, company_id: int, period: Period, issue: bool = True) -> Invoice:
    """An invoice billing staff raise by hand for one company and past period, billed as a
    full period on the company's current plan with the period's usage (a company that
    joined before its history was kept, a month the run did not cover). The same rule
    holds as for the monthly run: one internal invoice per company and period."""
    if period.end >= timezone.localdate():
        raise ValidationFailed(details={"period": ["Invoices are for periods that have ended."]})
    if issue:
        lock_sequence(timezone.localdate().year)
    if Invoice.objects.filter(
        company_id=company_id, period_start=period.start, source=InvoiceSource.INTERNAL
    ).exists():
        raise ConflictError(
            "The company already has an invoice for this period.",
            code=ErrorCode.INVOICE_EXISTS,
        )
    tier = billing_account(company_id=company_id).tier
    credits = available_credits([company_id], lock=True)
    data = invoice_inputs(
        company_ids=[company_id],
        period=period,
        credits=credits,
        tier_days={company_id: [TierDays(tier=tier, days=period.days)]},
    )[company_id]
    [invoice] = invoices_write(
        drafts=[Draft(company_id=company_id, tier=tier, calculation=calculate_invoice(data))],
        period=period,
        credits=credits,
        issue=issue,
    )
    return invoice


def invoice_pdf_download(*, company_id: int, invoice_id: int, user_id: int | None) -> InvoicePdf:
    """The PDF of one of the company's issued invoices, recorded as a data export."""
    # Imported here so reportlab loads only in processes that make PDFs.
    from apps.billing.documents import invoice_pdf, pdf_filename

    invoice = (
        Invoice.objects.for_company(company_id)
        .exclude(status=InvoiceStatus.DRAFT)
        .prefetch_related("lines")
        .get_for(invoice_id)
    )
    content = invoice_pdf(invoice)
    publish(
        signals.data_exported,
        sender=Invoice,
        company_id=company_id,
        user_id=user_id,
        kind="invoice_pdf",
        object_id=invoice.pk,
    )
    return InvoicePdf(filename=pdf_filename(invoice), content=content)
