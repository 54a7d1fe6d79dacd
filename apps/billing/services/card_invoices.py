"""Card payers' invoices: Stripe charges them, billing keeps them.

When Stripe drafts a renewal invoice, billing works out the period's overage and credits
with the same calculator as for offline payers (they are added to that invoice as items,
so the company gets one invoice). When Stripe finalizes, charges or voids it, billing
mirrors it (source ``stripe``, Stripe's number and totals) and checks Stripe's total
against the calculator's.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sentry_sdk
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.billing import signals
from apps.billing.calculator import InvoiceInput, TierUsage, calculate_invoice
from apps.billing.models import (
    CreditAllocation,
    Invoice,
    InvoiceLine,
    InvoiceSource,
    InvoiceStatus,
)
from apps.billing.periods import Period
from apps.billing.services.dunning import company_settle_if_paid_up
from apps.billing.services.inputs import available_credits
from apps.billing.services.invoicing import allocate_credits, publish_paid, release_credits
from apps.companies.selectors import billing_account, plans_by_code
from apps.core.events import publish
from apps.usage.selectors import api_calls_for_companies, plots_count_for_companies

logger = logging.getLogger(__name__)
ZERO = Decimal("0.00")
KOBO = Decimal("0.01")

# A card invoice's status only moves forward: a late "finalized" never undoes "paid".
_RANK = {
    InvoiceStatus.DRAFT: 0,
    InvoiceStatus.ISSUED: 1,
    InvoiceStatus.OVERDUE: 2,
    InvoiceStatus.PAID: 3,
    InvoiceStatus.VOID: 3,
}


@dataclass(frozen=True, slots=True)
class Adjustment:
    kind: str
    description: str
    amount: Decimal  # naira, negative for a credit
    key: str  # stable: what makes adding it at the gateway idempotent


@dataclass(frozen=True, slots=True)
class CardInvoiceLine:
    kind: str
    description: str
    quantity: int
    unit_price: Decimal
    amount: Decimal


def _mirror(company_id: int, external_id: str, period: Period) -> Invoice:
    invoice, _ = Invoice.objects.select_for_update().get_or_create(
        external_id=external_id,
        defaults={
            "company_id": company_id,
            "source": InvoiceSource.STRIPE,
            "period_start": period.start,
            "period_end": period.end,
            "tier": billing_account(company_id=company_id).tier,
            "vat_rate": settings.VAT_RATE,
        },
    )
    return invoice


def _calculation(invoice: Invoice, fees: Decimal, credits: Decimal) -> InvoiceInput:
    period = Period(invoice.period_start, invoice.period_end)
    plan = plans_by_code()[invoice.tier]
    return InvoiceInput(
        period_days=period.days,
        tiers=(TierUsage(invoice.tier, plan.name, fees, period.days),),
        included_plots=plan.included_plots,
        plots_held=plots_count_for_companies(company_ids=[invoice.company_id], at=period.ends_at)[
            invoice.company_id
        ],
        included_api_calls=plan.included_api_calls,
        api_calls=api_calls_for_companies(
            company_ids=[invoice.company_id], start=period.start, end=period.end
        )[invoice.company_id],
        credits_available=credits,
        vat_rate=invoice.vat_rate,
    )


@transaction.atomic
def card_invoice_adjustments(
    *, company_id: int, external_id: str, period: Period, fees: Decimal
) -> list[Adjustment]:
    """The overage and credit lines to add to a card renewal invoice Stripe has drafted
    for ``period`` (whose subscription fees come to ``fees``). Credits are set aside for
    it once; asking again gives the same lines."""
    invoice = _mirror(company_id, external_id, period)
    allocated = sum(invoice.allocations.values_list("amount", flat=True), ZERO)
    credits = available_credits([company_id], lock=True)[company_id]
    available = allocated + sum((credit.remaining for credit in credits), ZERO)
    calculation = calculate_invoice(_calculation(invoice, fees, available))
    if not allocated and calculation.credits_used:
        allocations = allocate_credits(invoice, credits, calculation.credits_used)
        CreditAllocation.objects.bulk_create(allocations)
        for allocation in allocations:
            allocation.credit.save(update_fields=["remaining", "updated_at"])
    credits_used = allocated or calculation.credits_used
    invoice.overage = calculation.overage
    invoice.credits_applied = credits_used
    invoice.save(update_fields=["overage", "credits_applied", "updated_at"])
    adjustments = [
        Adjustment(line.kind, line.description, line.amount, f"{external_id}-{line.kind}")
        for line in calculation.lines
        if line.kind in ("overage_plots", "overage_api_calls")
    ]
    if credits_used:
        adjustments.append(
            Adjustment("credit", "Credit applied", -credits_used, f"{external_id}-credit")
        )
    return adjustments


@dataclass(frozen=True, slots=True)
class CardInvoice:
    company_id: int
    external_id: str
    number: str
    status: str  # one of InvoiceStatus
    period: Period
    lines: tuple[CardInvoiceLine, ...]
    subtotal: Decimal  # after credits, before VAT
    total: Decimal  # the subtotal and VAT
    amount_paid: Decimal
    issued_at: datetime | None
    due_date: date | None
    paid_at: datetime | None
    renewal: bool = False  # a full period's renewal, which the calculator can check


@transaction.atomic
def card_invoice_mirror(*, data: CardInvoice) -> int:
    """Mirror Stripe's invoice into billing (created or brought up to date); returns the
    invoice's id. Its status only moves forward, and events go out once per step.

    A paid invoice has no balance, whatever part of it the customer's balance at Stripe
    paid. A negative total (a downgrade's proration credit, which Stripe keeps in the
    customer's balance for the next invoices) is mirrored as a zero total with its
    lines. Voiding gives back the credits the invoice used."""
    invoice = _mirror(data.company_id, data.external_id, data.period)
    before = invoice.status
    if _RANK[data.status] < _RANK[before]:
        return invoice.pk
    invoice.number = data.number or invoice.number
    invoice.subtotal = max(data.subtotal, ZERO)
    invoice.total = max(data.total, ZERO)
    invoice.tax = invoice.total - invoice.subtotal
    paid = data.status == InvoiceStatus.PAID
    invoice.amount_paid = invoice.total if paid else min(data.amount_paid, invoice.total)
    invoice.status = data.status
    invoice.issued_at = invoice.issued_at or data.issued_at
    invoice.due_date = data.due_date or invoice.due_date
    if data.status == InvoiceStatus.PAID:
        invoice.paid_at = invoice.paid_at or data.paid_at or timezone.now()
    if data.status == InvoiceStatus.VOID:
        invoice.voided_at = invoice.voided_at or timezone.now()
        invoice.void_reason = invoice.void_reason or "Voided in Stripe"
        if before != InvoiceStatus.VOID:
            release_credits(invoice)
    invoice.save()
    if data.lines:
        invoice.lines.all().delete()
        InvoiceLine.objects.bulk_create(
            InvoiceLine(
                invoice=invoice,
                position=position,
                kind=line.kind,
                description=line.description[:300],
                quantity=line.quantity,
                unit_price=line.unit_price,
                amount=line.amount,
            )
            for position, line in enumerate(data.lines)
        )
        if data.renewal:
            _reconcile(invoice, data.lines)
    if before == InvoiceStatus.DRAFT and data.status != InvoiceStatus.DRAFT:
        publish(
            signals.invoice_issued,
            sender=Invoice,
            invoice_id=invoice.pk,
            company_id=invoice.company_id,
            number=invoice.number,
            total=invoice.total,
            due_date=invoice.due_date,
            source=invoice.source,
            in_batch=False,
        )
    if before != InvoiceStatus.PAID and data.status == InvoiceStatus.PAID:
        company_settle_if_paid_up(company_id=invoice.company_id)
        publish_paid(invoice)
    if before != InvoiceStatus.VOID and data.status == InvoiceStatus.VOID:
        publish(
            signals.invoice_voided,
            sender=Invoice,
            invoice_id=invoice.pk,
            company_id=invoice.company_id,
            number=invoice.number,
            reason=invoice.void_reason,
            voided_by_id=None,
        )
    return invoice.pk


def _reconcile(invoice: Invoice, lines: tuple[CardInvoiceLine, ...]) -> None:
    """Flag a card invoice whose total is not the calculator's, beyond per-line rounding."""
    fees = sum((line.amount for line in lines if line.kind == "subscription"), ZERO)
    expected = calculate_invoice(_calculation(invoice, fees, invoice.credits_applied))
    difference = invoice.total - expected.total
    invoice.reconciliation_difference = None
    if abs(difference) > KOBO * len(lines):
        invoice.reconciliation_difference = difference
        message = (
            f"Card invoice {invoice.number or invoice.external_id} of company "
            f"{invoice.company_id}: Stripe's total {invoice.total} is {difference} away "
            f"from the calculator's {expected.total}"
        )
        logger.error(message)
        sentry_sdk.capture_message(message, level="error")
    invoice.save(update_fields=["reconciliation_difference", "updated_at"])
