"""Marketer services: affiliations (apply, approve, reject, suspend, reactivate) and
commissions (earn once, approve, mark paid, cancel with the sale)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.selectors import user_identity
from apps.accounts.services import SignupPurpose, account_register, user_require_verified_email
from apps.companies.services import company_lock, membership_ensure, membership_set_active
from apps.core.errors import ConflictError, LimitExceeded, NotFoundError, ValidationFailed
from apps.core.events import publish
from apps.core.money import percent_of
from apps.core.roles import Role
from apps.marketers import signals
from apps.marketers.models import (
    AffiliationStatus,
    CommissionStatus,
    MarketerAffiliation,
    MarketerEarnedCommission,
    MarketerProfile,
)


class InvalidTransition(ConflictError):
    code = "invalid_transition"


# --- affiliations ----------------------------------------------------------------------------


def _locked_affiliation(company_id: int, affiliation_id: int) -> MarketerAffiliation:
    try:
        return (
            MarketerAffiliation.objects.select_for_update()
            .select_related("marketer")
            .get(pk=affiliation_id, company_id=company_id)
        )
    except MarketerAffiliation.DoesNotExist as exc:
        raise NotFoundError() from exc


def _start_transition(
    company_id: int, affiliation_id: int, *, target: str, allowed_from: tuple[str, ...], verb: str
) -> tuple[MarketerAffiliation, bool]:
    """Lock the affiliation; (it, False) when already at ``target`` (a repeat is a no-op),
    (it, True) when it may move there, else InvalidTransition."""
    affiliation = _locked_affiliation(company_id, affiliation_id)
    if affiliation.status == target:
        return affiliation, False
    if affiliation.status not in allowed_from:
        raise InvalidTransition(f"A {affiliation.status} affiliation cannot be {verb}.")
    return affiliation, True


def _affiliation_payload(affiliation: MarketerAffiliation) -> dict:
    return {
        "affiliation_id": affiliation.pk,
        "company_id": affiliation.company_id,
        "marketer_user_id": affiliation.marketer.user_id,
    }


def _decide(
    affiliation: MarketerAffiliation, status: str, decided_by_id: int | None, reason: str = ""
) -> None:
    affiliation.status = status
    affiliation.decided_by_id = decided_by_id
    affiliation.decided_at = timezone.now()
    affiliation.reason = reason
    affiliation.save()


def _check_agent_limit(company_id: int) -> None:
    limits = company_lock(company_id=company_id)
    approved = MarketerAffiliation.objects.filter(
        company_id=company_id, status=AffiliationStatus.APPROVED
    ).count()
    if approved >= limits.max_agents:
        raise LimitExceeded(
            f"The {limits.tier} plan allows {limits.max_agents} approved marketers; "
            "suspend one or upgrade the plan.",
            code="agent_limit_reached",
            details={"max_agents": limits.max_agents, "approved": approved},
        )


@transaction.atomic
def marketer_profile_ensure(*, user_id: int, phone: str = "") -> MarketerProfile:
    profile, _ = MarketerProfile.objects.get_or_create(user_id=user_id, defaults={"phone": phone})
    return profile


@transaction.atomic
def marketer_register(
    *, email: str, password: str, first_name: str = "", last_name: str = "", phone: str = ""
) -> int | None:
    """Create a marketer's account (to verify by email) and profile; they then apply to
    companies one by one. Returns the new user's id, or None when the email already had
    an account (nothing created; the owner is emailed, and can apply once signed in)."""
    registration = account_register(
        email=email,
        password=password,
        purpose=SignupPurpose.MARKETER,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
    )
    if registration.user_id is not None:
        MarketerProfile.objects.create(user_id=registration.user_id, phone=phone)
    return registration.user_id


@transaction.atomic
def affiliation_request(*, user_id: int, company_id: int, phone: str = "") -> MarketerAffiliation:
    """A marketer applies to a company. A rejected marketer may apply again.

    Only an account whose email is verified may apply: approval makes it a member.
    """
    user_require_verified_email(user_id=user_id)
    profile = marketer_profile_ensure(user_id=user_id, phone=phone)
    affiliation = (
        MarketerAffiliation.objects.select_for_update()
        .filter(company_id=company_id, marketer=profile)
        .first()
    )
    if affiliation is None:
        try:
            with transaction.atomic():
                affiliation = MarketerAffiliation.objects.create(
                    company_id=company_id, marketer=profile
                )
        except IntegrityError as exc:  # a concurrent application won
            raise ConflictError("You have already applied.", code="already_applied") from exc
    elif affiliation.status == AffiliationStatus.REJECTED:
        affiliation.status = AffiliationStatus.PENDING
        affiliation.reason = ""
        affiliation.decided_by = None
        affiliation.decided_at = None
        affiliation.save()
    elif affiliation.status == AffiliationStatus.SUSPENDED:
        raise ConflictError(
            "Your affiliation is suspended; ask the company to reactivate it.", code="suspended"
        )
    else:
        raise ConflictError("You have already applied.", code="already_applied")
    publish(
        signals.affiliation_requested,
        sender=MarketerAffiliation,
        **_affiliation_payload(affiliation),
    )
    return affiliation


@transaction.atomic
def affiliation_approve(
    *, company_id: int, affiliation_id: int, decided_by_id: int | None, commission_rate: Decimal
) -> MarketerAffiliation:
    """Approve a pending (or previously rejected) application, within the plan's max_agents."""
    if not Decimal(0) <= commission_rate <= Decimal(100):
        raise ValidationFailed(details={"commission_rate": ["Must be between 0 and 100."]})
    affiliation, moves = _start_transition(
        company_id,
        affiliation_id,
        target=AffiliationStatus.APPROVED,
        allowed_from=(AffiliationStatus.PENDING, AffiliationStatus.REJECTED),
        verb="approved",
    )
    if not moves:
        return affiliation
    _check_agent_limit(company_id)
    affiliation.commission_rate = commission_rate
    _decide(affiliation, AffiliationStatus.APPROVED, decided_by_id)
    # The marketer applied to the company: the names on their account are theirs to give.
    marketer = user_identity(user_id=affiliation.marketer.user_id)
    membership_ensure(
        company_id=company_id,
        user_id=affiliation.marketer.user_id,
        role=Role.MARKETER,
        first_name=marketer.first_name if marketer else "",
        last_name=marketer.last_name if marketer else "",
    )
    publish(
        signals.affiliation_approved,
        sender=MarketerAffiliation,
        **_affiliation_payload(affiliation),
        commission_rate=commission_rate,
        decided_by_id=decided_by_id,
    )
    return affiliation


@transaction.atomic
def affiliation_reject(
    *, company_id: int, affiliation_id: int, decided_by_id: int | None, reason: str = ""
) -> MarketerAffiliation:
    affiliation, moves = _start_transition(
        company_id,
        affiliation_id,
        target=AffiliationStatus.REJECTED,
        allowed_from=(AffiliationStatus.PENDING,),
        verb="rejected",
    )
    if not moves:
        return affiliation
    _decide(affiliation, AffiliationStatus.REJECTED, decided_by_id, reason)
    publish(
        signals.affiliation_rejected,
        sender=MarketerAffiliation,
        **_affiliation_payload(affiliation),
        reason=reason,
        decided_by_id=decided_by_id,
    )
    return affiliation


@transaction.atomic
def affiliation_suspend(
    *, company_id: int, affiliation_id: int, decided_by_id: int | None, reason: str = ""
) -> MarketerAffiliation:
    affiliation, moves = _start_transition(
        company_id,
        affiliation_id,
        target=AffiliationStatus.SUSPENDED,
        allowed_from=(AffiliationStatus.APPROVED,),
        verb="suspended",
    )
    if not moves:
        return affiliation
    _decide(affiliation, AffiliationStatus.SUSPENDED, decided_by_id, reason)
    membership_set_active(
        company_id=company_id,
        user_id=affiliation.marketer.user_id,
        role=Role.MARKETER,
        active=False,
    )
    publish(
        signals.marketer_suspended,
        sender=MarketerAffiliation,
        **_affiliation_payload(affiliation),
        reason=reason,
        decided_by_id=decided_by_id,
    )
    return affiliation


@transaction.atomic
def affiliation_reactivate(
    *, company_id: int, affiliation_id: int, decided_by_id: int | None
) -> MarketerAffiliation:
    """Lift a suspension; the marketer counts toward max_agents again."""
    affiliation, moves = _start_transition(
        company_id,
        affiliation_id,
        target=AffiliationStatus.APPROVED,
        allowed_from=(AffiliationStatus.SUSPENDED,),
        verb="reactivated",
    )
    if not moves:
        return affiliation
    _check_agent_limit(company_id)
    _decide(affiliation, AffiliationStatus.APPROVED, decided_by_id)
    membership_set_active(
        company_id=company_id, user_id=affiliation.marketer.user_id, role=Role.MARKETER, active=True
    )
    publish(
        signals.marketer_reactivated,
        sender=MarketerAffiliation,
        **_affiliation_payload(affiliation),
        decided_by_id=decided_by_id,
    )
    return affiliation


# --- commissions -----------------------------------------------------------------------------


def _commission_payload(commission: MarketerEarnedCommission) -> dict:
    return {
        "commission_id": commission.pk,
        "company_id": commission.company_id,
        "affiliation_id": commission.affiliation_id,
        "amount": commission.amount,
    }


def _locked_commission(company_id: int, commission_id: int) -> MarketerEarnedCommission:
    try:
        return MarketerEarnedCommission.objects.select_for_update().get(
            pk=commission_id, company_id=company_id
        )
    except MarketerEarnedCommission.DoesNotExist as exc:
        raise NotFoundError() from exc


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
    affiliation = _locked_affiliation(company_id, affiliation_id)
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
        **_commission_payload(commission),
        purchase_id=purchase_id,
        rate=commission.rate,
    )
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
        **_commission_payload(commission),
        approved_by_id=approved_by_id,
    )
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
            code="already_paid",
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
        **_commission_payload(commission),
        payment_reference=payment_reference,
    )
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
            code="commission_paid",
        )
    commission.status = CommissionStatus.CANCELLED
    commission.save(update_fields=["status", "updated_at"])


@dataclass(frozen=True, slots=True)
class ProcessSummary:
    approved: int
    still_pending: int
    batches: int
    total_approved_amount: Decimal


def commissions_process(
    *, now: datetime | None = None, min_age: timedelta = timedelta(0), batch_size: int = 500
) -> ProcessSummary:
    """Approve pending commissions earned at least ``min_age`` ago through approved
    affiliations, ``batch_size`` at a time, each batch in its own transaction.

    Rows locked by someone else are skipped this run and picked up by the next one.
    """
    now = now or timezone.now()
    eligible = MarketerEarnedCommission.objects.filter(
        status=CommissionStatus.PENDING,
        affiliation__status=AffiliationStatus.APPROVED,
        created_at__lte=now - min_age,
    )
    approved = batches = 0
    total = Decimal("0.00")
    last_id = 0
    while True:
        with transaction.atomic():
            batch = list(
                eligible.filter(pk__gt=last_id)
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("pk")[:batch_size]
            )
            if not batch:
                break
            batches += 1
            last_id = batch[-1].pk
            for commission in batch:
                commission.status = CommissionStatus.APPROVED
                commission.approved_at = now
                commission.updated_at = now
            MarketerEarnedCommission.objects.bulk_update(
                batch, ["status", "approved_at", "updated_at"]
            )
            for commission in batch:
                publish(
                    signals.commission_approved,
                    sender=MarketerEarnedCommission,
                    **_commission_payload(commission),
                    approved_by_id=None,
                )
            approved += len(batch)
            total += sum((commission.amount for commission in batch), Decimal("0.00"))
    still_pending = MarketerEarnedCommission.objects.filter(status=CommissionStatus.PENDING).count()
    return ProcessSummary(
        approved=approved, still_pending=still_pending, batches=batches, total_approved_amount=total
    )
