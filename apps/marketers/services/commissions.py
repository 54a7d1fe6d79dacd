"""Commissions: earned exactly once on a completed sale through an approved marketer,
approved and marked paid one way only, cancelled with an unpaid sale."""

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.errors import ConflictError, InvalidTransition, ValidationFailed
from apps.core.events import publish
from apps.core.money import percent_of
from apps.marketers import signals
from apps.marketers.errors import ErrorCode
from apps.marketers.models import (
    AffiliationStatus,
    CommissionStatus,
    MarketerAffiliation,
    MarketerEarnedCommission,
)
from apps.marketers.read_scopes import commissions_changed


def commission_payload(commission: MarketerEarnedCommission) -> dict[str, Any]:
    return {
        "commission_id": commission.pk,
        "company_id": commission.company_id,
        "affiliation_id": commission.affiliation_id,
        "amount": commission.amount,
    }


def _locked_commission(company_id: int, commission_id: int) -> MarketerEarnedCommission:
    return MarketerEarnedCommission.objects.for_company(company_id).get_for(
        commission_id, lock=True
    )


@transaction.atomic
def commission_earn(
    *, company_id: int, purchase_id: int, affiliation_id: int, agreed_price: Decimal
) -> int | None:
    """Record the commission on a completed sale, exactly once; returns its id.

    A sale through an affiliation that is not approved earns nothing (None).
    """
    existing = (
        MarketerEarnedCommission.objects.filter(company_id=company_id, purchase_id=purchase_id)
        .values_list("pk", flat=True)
        .first()
    )
    if existing is not None:
        return existing
    affiliation = MarketerAffiliation.objects.for_company(company_id).get_for(
        affiliation_id, lock=True
    )
    if affiliation.status != AffiliationStatus.APPROVED or affiliation.commission_rate is None:
        return None
    try:
        with transaction.atomic():
            commission = MarketerEarnedCommission.objects.create(
                company_id=company_id,
                affiliation=affiliation,
                purchase_id=purchase_id,
                rate=affiliation.commission_rate,
                amount=percent_of(agreed_price, affiliation.commission_rate),
            )
    except IntegrityError:
        # A concurrent call recorded it after our check above: the database keeps one
        # commission per purchase, so return that one (its call publishes the event).
        return MarketerEarnedCommission.objects.values_list("pk", flat=True).get(
            purchase_id=purchase_id
        )
    publish(
        signals.commission_earned,
        sender=MarketerEarnedCommission,
        **commission_payload(commission),
        purchase_id=purchase_id,
        rate=commission.rate,
    )
    commissions_changed(company_id)
    return commission.pk


@transaction.atomic
def commission_approve(
    *, company_id: int, commission_id: int, approved_by_id: int | None
) -> MarketerEarnedCommission:
    """pending -> approved. Approving an approved or paid commission changes nothing."""
    commission = _locked_commission(company_id, commission_id)
    if commission.status in (CommissionStatus.APPROVED, CommissionStatus.PAID):
        return commission
    if commission.status != CommissionStatus.PENDING:
        raise InvalidTransition(f"A {commission.status} commission cannot be approved.")
    commission.status = CommissionStatus.APPROVED
    commission.approved_at = timezone.now()
    commission.approved_by_id = approved_by_id
    commission.save()
    publish(
        signals.commission_approved,
        sender=MarketerEarnedCommission,
        **commission_payload(commission),
        approved_by_id=approved_by_id,
    )
    commissions_changed(company_id)
    return commission


@transaction.atomic
def commission_mark_paid(
    *, company_id: int, commission_id: int, payment_reference: str
) -> MarketerEarnedCommission:
    """approved -> paid, once. Repeating it with the same reference changes nothing; a
    different reference is refused, so one commission is never paid twice."""
    payment_reference = payment_reference.strip()
    if not payment_reference:
        raise ValidationFailed(details={"payment_reference": ["A payment reference is required."]})
    commission = _locked_commission(company_id, commission_id)
    if commission.status == CommissionStatus.PAID:
        if commission.payment_reference == payment_reference:
            return commission
        raise ConflictError(
            f"This commission was already paid (reference {commission.payment_reference}).",
            code=ErrorCode.ALREADY_PAID,
        )
    if commission.status != CommissionStatus.APPROVED:
        raise InvalidTransition(
            f"A {commission.status} commission cannot be paid; approve it first."
        )
    commission.status = CommissionStatus.PAID
    commission.paid_at = timezone.now()
    commission.payment_reference = payment_reference
    commission.save()
    publish(
        signals.commission_paid,
        sender=MarketerEarnedCommission,
        **commission_payload(commission),
        payment_reference=payment_reference,
    )
    commissions_changed(company_id)
    return commission


@transaction.atomic
def commission_cancel_for_purchase(*, company_id: int, purchase_id: int) -> None:
    """The sale was cancelled: its unpaid commission is cancelled. A paid one blocks that."""
    commission = (
        MarketerEarnedCommission.objects.select_for_update()
        .filter(company_id=company_id, purchase_id=purchase_id)
        .first()
    )
    if commission is None or commission.status == CommissionStatus.CANCELLED:
        return
    if commission.status == CommissionStatus.PAID:
        raise ConflictError(
            "The marketer's commission on this sale has been paid; it cannot be cancelled here.",
            code=ErrorCode.COMMISSION_PAID,
        )
    commission.status = CommissionStatus.CANCELLED
    commission.save(update_fields=["status", "updated_at"])
    commissions_changed(company_id)
