"""Recording payments. Every path that receives money (billing staff recording a bank
transfer or cash, a card charged by the gateway) writes a Payment here and applies it to
billing's invoice through billing's services, in one transaction.

The card subscription services (checkout, plan change, cancellation, the portal) are in
``apps.payments.subscriptions``; the webhook's in ``apps.payments.webhooks``.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.billing.services import invoice_apply_payment
from apps.core.errors import ValidationFailed
from apps.core.events import publish
from apps.core.money import round_kobo
from apps.payments import signals, subscriptions
from apps.payments.errors import DuplicateReference
from apps.payments.models import OFFLINE_CHANNELS, Payment, PaymentChannel, PaymentStatus


@dataclass(frozen=True, slots=True)
class PaymentRecorded:
    payment_id: int
    created: bool  # False: this method and reference were recorded before; nothing changed
    invoice_paid: bool  # the invoice is paid in full (now or before)
    overpayment: Decimal


def _valid_amount(amount: Decimal) -> Decimal:
    try:
        valid = amount.is_finite() and amount > 0 and amount == round_kobo(amount)
    except (AttributeError, InvalidOperation, TypeError, ValueError):
        valid = False
    if not valid:
        raise ValidationFailed(
            details={"amount": ["An amount in naira above zero, with at most two decimals."]}
        )
    return round_kobo(amount)


@transaction.atomic
def payment_record_offline(
    *,
    company_id: int,
    invoice_id: int,
    amount: Decimal,
    method: str,
    reference: str,
    paid_at: datetime | None = None,
    recorded_by_id: int | None = None,
) -> PaymentRecorded:
    """Record a bank transfer or cash payment against one of the company's invoices.

    Recording the same method and reference again changes nothing and says so
    (``created`` False); the same reference for a different payment is a 409. Refused:
    a zero, negative or sub-kobo amount, another company's invoice, a void or draft one.
    """
    if method not in OFFLINE_CHANNELS:
        raise ValidationFailed(details={"method": ["Bank transfer or cash."]})
    return _record(
        company_id=company_id,
        invoice_id=invoice_id,
        amount=amount,
        method=method,
        reference=reference,
        paid_at=paid_at,
        recorded_by_id=recorded_by_id,
    )


@transaction.atomic
def payment_record_card(
    *,
    company_id: int,
    invoice_id: int,
    amount: Decimal,
    payment_intent_id: str,
    charge_id: str = "",
    paid_at: datetime | None = None,
) -> PaymentRecorded:
    """Record a card payment the gateway made (its payment intent is the reference): the
    webhook may report it twice or by two events; it is recorded once. The invoice's
    amounts and status are the gateway's, mirrored by billing: nothing is applied here."""
    return _record(
        company_id=company_id,
        invoice_id=invoice_id,
        amount=amount,
        method=PaymentChannel.STRIPE,
        reference=payment_intent_id,
        paid_at=paid_at,
        charge_id=charge_id,
        apply_to_invoice=False,
    )


@transaction.atomic
def payment_record_card_failure(
    *,
    company_id: int,
    invoice_id: int | None,
    amount: Decimal,
    payment_intent_id: str,
    attempt: str,
    reason: str,
) -> int:
    """Record a failed card attempt (``attempt`` tells one from the next: the event id),
    and say so to those who must act on it; returns the Payment's id."""
    payment, created = Payment.objects.get_or_create(
        method=PaymentChannel.STRIPE,
        reference=f"{payment_intent_id}:failed:{attempt}",
        defaults={
            "company_id": company_id,
            "invoice_id": invoice_id,
            "amount": round_kobo(amount),
            "status": PaymentStatus.FAILED,
            "paid_at": timezone.now(),
            "failure_reason": reason[:500],
        },
    )
    if created:
        publish(
            signals.payment_failed,
            sender=Payment,
            payment_id=payment.pk,
            company_id=company_id,
            invoice_id=invoice_id,
            amount=payment.amount,
            method=PaymentChannel.STRIPE,
            reason=payment.failure_reason,
        )
    return payment.pk


def _record(
    *,
    company_id: int,
    invoice_id: int,
    amount: Decimal,
    method: str,
    reference: str,
    paid_at: datetime | None,
    recorded_by_id: int | None = None,
    charge_id: str = "",
    apply_to_invoice: bool = True,
) -> PaymentRecorded:
    reference = reference.strip()
    if not reference:
        raise ValidationFailed(details={"reference": ["The bank's or receipt's reference."]})
    amount = _valid_amount(amount)
    paid_at = paid_at or timezone.now()
    existing = Payment.objects.filter(method=method, reference=reference).first()
    if existing is not None:
        return _repeat(existing, company_id, invoice_id, amount)
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                company_id=company_id,
                invoice_id=invoice_id,
                amount=amount,
                method=method,
                reference=reference,
                status=PaymentStatus.SUCCEEDED,
                paid_at=paid_at,
                recorded_by_id=recorded_by_id,
                gateway_charge_id=charge_id,
            )
    except IntegrityError:
        # Recorded by someone else a moment ago.
        return _repeat(
            Payment.objects.get(method=method, reference=reference), company_id, invoice_id, amount
        )
    paid_now, balance, overpayment = False, None, Decimal("0.00")
    if apply_to_invoice:
        applied = invoice_apply_payment(
            company_id=company_id, invoice_id=invoice_id, amount=amount, paid_at=paid_at
        )
        paid_now, balance, overpayment = applied.paid_now, applied.balance, applied.overpayment
    publish(
        signals.payment_succeeded,
        sender=Payment,
        payment_id=payment.pk,
        company_id=company_id,
        invoice_id=invoice_id,
        amount=amount,
        method=method,
        invoice_paid=paid_now,
    )
    return PaymentRecorded(
        payment_id=payment.pk,
        created=True,
        invoice_paid=balance == 0,
        overpayment=overpayment,
    )


def _repeat(payment: Payment, company_id: int, invoice_id: int, amount: Decimal) -> PaymentRecorded:
    if (payment.company_id, payment.invoice_id, payment.amount) != (company_id, invoice_id, amount):
        raise DuplicateReference(
            details={"reference": ["Already used for another payment with this method."]}
        )
    return PaymentRecorded(
        payment_id=payment.pk, created=False, invoice_paid=False, overpayment=Decimal("0.00")
    )


# --- card subscriptions, for other apps (the companies admin) ------------------------------


def card_subscription_change(*, company_id: int, tier: str) -> None:
    """Ask the gateway to move the company's card subscription to ``tier``; the tier
    changes here when the gateway confirms."""
    subscriptions.subscription_change(company_id=company_id, tier=tier)


def card_subscription_cancel(*, company_id: int, reason: str, at_period_end: bool) -> None:
    subscriptions.subscription_cancel(
        company_id=company_id, reason=reason, at_period_end=at_period_end
    )
