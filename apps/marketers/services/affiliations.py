"""A marketer's affiliation with a company: applying, and the company's decisions.

Every decision is one ``Transition`` below: the status it leads to, the statuses it may
start from, and the value it records (a commission rate, a reason). Repeating a decision
that already holds is a no-op when it records the same value, and a 409
``already_decided`` when it would record another, so nothing changes silently.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.selectors import user_identity
from apps.accounts.services import user_require_verified_email
from apps.companies.services import company_lock, membership_ensure, membership_set_active
from apps.core.errors import ConflictError, InvalidTransition, LimitExceeded, ValidationFailed
from apps.core.events import publish
from apps.core.roles import Role
from apps.marketers import signals
from apps.marketers.errors import AlreadyDecided, ErrorCode
from apps.marketers.models import AffiliationStatus, MarketerAffiliation
from apps.marketers.read_scopes import affiliations_changed
from apps.marketers.services.profiles import marketer_profile_ensure

Status = AffiliationStatus


@dataclass(frozen=True, slots=True)
class Transition:
    target: str
    allowed_from: frozenset[str]
    verb: str
    # The affiliation field the decision records, compared when the decision is repeated.
    records: str | None
    # The approved marketers count against the plan's max_agents once more.
    counts_as_agent: bool


APPROVE = Transition(
    target=Status.APPROVED,
    allowed_from=frozenset({Status.PENDING, Status.REJECTED}),
    verb="approved",
    records="commission_rate",
    counts_as_agent=True,
)
REJECT = Transition(
    target=Status.REJECTED,
    allowed_from=frozenset({Status.PENDING}),
    verb="rejected",
    records="reason",
    counts_as_agent=False,
)
SUSPEND = Transition(
    target=Status.SUSPENDED,
    allowed_from=frozenset({Status.APPROVED}),
    verb="suspended",
    records="reason",
    counts_as_agent=False,
)
REACTIVATE = Transition(
    target=Status.APPROVED,
    allowed_from=frozenset({Status.SUSPENDED}),
    verb="reactivated",
    records=None,
    counts_as_agent=True,
)


def _payload(affiliation: MarketerAffiliation) -> dict[str, Any]:
    return {
        "affiliation_id": affiliation.pk,
        "company_id": affiliation.company_id,
        "marketer_user_id": affiliation.marketer.user_id,
    }


def _check_agent_limit(company_id: int) -> None:
    limits = company_lock(company_id=company_id)
    approved = MarketerAffiliation.objects.filter(
        company_id=company_id, status=Status.APPROVED
    ).count()
    if approved >= limits.max_agents:
        raise LimitExceeded(
            f"The {limits.tier} plan allows {limits.max_agents} approved marketers; "
            "suspend one or upgrade the plan.",
            code=ErrorCode.AGENT_LIMIT_REACHED,
            details={"max_agents": limits.max_agents, "approved": approved},
        )


def _decide(
    transition: Transition,
    *,
    company_id: int,
    affiliation_id: int,
    decided_by_id: int | None,
    value: Any = None,
) -> tuple[MarketerAffiliation, bool]:
    """Lock the affiliation and apply ``transition``; returns it and whether it moved."""
    affiliation = (
        MarketerAffiliation.objects.for_company(company_id)
        .select_related("marketer")
        .get_for(affiliation_id, lock=True)
    )
    if affiliation.status == transition.target:
        recorded = getattr(affiliation, transition.records) if transition.records else None
        if transition.records is None or recorded == value:
            return affiliation, False
        raise AlreadyDecided(
            f"This affiliation was already {transition.verb} with another "
            f"{transition.records.replace('_', ' ')}.",
            details={transition.records: [str(recorded)]},
        )
    if affiliation.status not in transition.allowed_from:
        raise InvalidTransition(f"A {affiliation.status} affiliation cannot be {transition.verb}.")
    if transition.counts_as_agent:
        _check_agent_limit(company_id)
    affiliation.status = transition.target
    affiliation.decided_by_id = decided_by_id
    affiliation.decided_at = timezone.now()
    affiliation.reason = value if transition.records == "reason" else ""
    if transition.records == "commission_rate":
        affiliation.commission_rate = value
    affiliation.save()
    affiliations_changed(company_id)
    return affiliation, True


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
    already = ConflictError("You have already applied.", code=ErrorCode.ALREADY_APPLIED)
    if affiliation is None:
        try:
            with transaction.atomic():
                affiliation = MarketerAffiliation.objects.create(
                    company_id=company_id, marketer=profile
                )
        except IntegrityError as exc:  # a concurrent application won
            raise already from exc
    elif affiliation.status == Status.REJECTED:
        affiliation.status = Status.PENDING
        affiliation.reason = ""
        affiliation.decided_by = None
        affiliation.decided_at = None
        affiliation.save()
    elif affiliation.status == Status.SUSPENDED:
        raise ConflictError(
            "Your affiliation is suspended; ask the company to reactivate it.",
            code=ErrorCode.AFFILIATION_SUSPENDED,
        )
    else:
        raise already
    affiliations_changed(company_id)
    publish(signals.affiliation_requested, sender=MarketerAffiliation, **_payload(affiliation))
    return affiliation


@transaction.atomic
def affiliation_approve(
    *, company_id: int, affiliation_id: int, decided_by_id: int | None, commission_rate: Decimal
) -> MarketerAffiliation:
    """Approve a pending (or previously rejected) application at ``commission_rate`` %,
    within the plan's max_agents; the marketer becomes a member of the company."""
    if not Decimal(0) <= commission_rate <= Decimal(100):
        raise ValidationFailed(details={"commission_rate": ["Must be between 0 and 100."]})
    affiliation, moved = _decide(
        APPROVE,
        company_id=company_id,
        affiliation_id=affiliation_id,
        decided_by_id=decided_by_id,
        value=commission_rate,
    )
    if not moved:
        return affiliation
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
        **_payload(affiliation),
        commission_rate=commission_rate,
        decided_by_id=decided_by_id,
    )
    return affiliation


@transaction.atomic
def affiliation_reject(
    *, company_id: int, affiliation_id: int, decided_by_id: int | None, reason: str = ""
) -> MarketerAffiliation:
    """Turn down a pending application (the marketer may apply again)."""
    affiliation, moved = _decide(
        REJECT,
        company_id=company_id,
        affiliation_id=affiliation_id,
        decided_by_id=decided_by_id,
        value=reason,
    )
    if moved:
        publish(
            signals.affiliation_rejected,
            sender=MarketerAffiliation,
            **_payload(affiliation),
            reason=reason,
            decided_by_id=decided_by_id,
        )
    return affiliation


@transaction.atomic
def affiliation_suspend(
    *, company_id: int, affiliation_id: int, decided_by_id: int | None, reason: str = ""
) -> MarketerAffiliation:
    """Suspend an approved marketer: they reach nothing of the company from their next
    request, and stop counting against max_agents."""
    affiliation, moved = _decide(
        SUSPEND,
        company_id=company_id,
        affiliation_id=affiliation_id,
        decided_by_id=decided_by_id,
        value=reason,
    )
    if moved:
        membership_set_active(
            company_id=company_id,
            user_id=affiliation.marketer.user_id,
            role=Role.MARKETER,
            active=False,
        )
        publish(
            signals.marketer_suspended,
            sender=MarketerAffiliation,
            **_payload(affiliation),
            reason=reason,
            decided_by_id=decided_by_id,
        )
    return affiliation


@transaction.atomic
def affiliation_reactivate(
    *, company_id: int, affiliation_id: int, decided_by_id: int | None
) -> MarketerAffiliation:
    """Lift a suspension; the marketer counts toward max_agents again."""
    affiliation, moved = _decide(
        REACTIVATE,
        company_id=company_id,
        affiliation_id=affiliation_id,
        decided_by_id=decided_by_id,
    )
    if moved:
        membership_set_active(
            company_id=company_id,
            user_id=affiliation.marketer.user_id,
            role=Role.MARKETER,
            active=True,
        )
        publish(
            signals.marketer_reactivated,
            sender=MarketerAffiliation,
            **_payload(affiliation),
            decided_by_id=decided_by_id,
        )
    return affiliation
