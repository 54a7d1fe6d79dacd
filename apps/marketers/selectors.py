"""Read-side of marketers for other apps: plain data, never ORM rows."""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Sum

from apps.core.aggregates import counts_by
from apps.core.money import round_kobo
from apps.core.read_versions import cached_under_versions
from apps.marketers.models import (
    AffiliationStatus,
    CommissionStatus,
    MarketerAffiliation,
    MarketerEarnedCommission,
)
from apps.marketers.read_scopes import AFFILIATIONS, COMMISSIONS


@dataclass(frozen=True, slots=True)
class AffiliationInfo:
    id: int
    company_id: int
    marketer_user_id: int
    status: str
    commission_rate: Decimal | None
    marketer_phone: str = ""  # from the marketer's profile, for messages to them

    @property
    def is_approved(self) -> bool:
        return self.status == AffiliationStatus.APPROVED


def affiliation_info(*, company_id: int, affiliation_id: int) -> AffiliationInfo | None:
    """The company's affiliation with this id, or None (also for another company's id)."""
    affiliation = (
        MarketerAffiliation.objects.filter(pk=affiliation_id, company_id=company_id)
        .select_related("marketer")
        .first()
    )
    if affiliation is None:
        return None
    return AffiliationInfo(
        id=affiliation.pk,
        company_id=affiliation.company_id,
        marketer_user_id=affiliation.marketer.user_id,
        status=affiliation.status,
        commission_rate=affiliation.commission_rate,
        marketer_phone=affiliation.marketer.phone,
    )


def affiliation_ids_for_user(*, company_id: int, user_id: int) -> list[int]:
    """The ids of this user's affiliations with the company (a marketer has at most one)."""
    return list(
        MarketerAffiliation.objects.filter(
            company_id=company_id, marketer__user_id=user_id
        ).values_list("pk", flat=True)
    )


def commissions_earned_for_companies(
    *, company_ids: Iterable[int], start: datetime, end: datetime
) -> dict[int, Decimal]:
    """What each company's marketers earned in [``start``, ``end``) (commissions recorded
    then, on sales completed then, and not cancelled since), in one query."""
    ids = set(company_ids)
    totals = dict.fromkeys(ids, Decimal("0.00"))
    rows = (
        MarketerEarnedCommission.objects.filter(
            company_id__in=ids, created_at__gte=start, created_at__lt=end
        )
        .exclude(status=CommissionStatus.CANCELLED)
        .order_by()
        .values("company_id")
        .annotate(total=Sum("amount"))
        .values_list("company_id", "total")
    )
    # Summed by SQLite, a Decimal loses its trailing zeros: back to kobo.
    totals.update((company_id, round_kobo(total)) for company_id, total in rows)
    return totals


@dataclass(frozen=True, slots=True)
class MarketerStats:
    affiliations: dict[str, int]  # by status, every status present
    commissions: dict[str, Decimal]  # amounts by status, every status present


def marketer_stats(*, company_id: int) -> MarketerStats:
    """The company's affiliations by status and its commissions' amounts by status: two
    grouped queries per write to either, then from the cache (one round trip)."""
    return cached_under_versions(
        "marketer-stats",
        company_id,
        [AFFILIATIONS, COMMISSIONS],
        lambda: _marketer_stats(company_id),
    )


def _marketer_stats(company_id: int) -> MarketerStats:
    affiliations = counts_by(
        MarketerAffiliation.objects.filter(company_id=company_id),
        "status",
        AffiliationStatus.values,
    )
    commissions = dict.fromkeys(CommissionStatus.values, Decimal("0.00"))
    commissions.update(
        (status, round_kobo(total or Decimal("0")))
        for status, total in MarketerEarnedCommission.objects.filter(company_id=company_id)
        .order_by()
        .values("status")
        .annotate(total=Sum("amount"))
        .values_list("status", "total")
    )
    return MarketerStats(affiliations=affiliations, commissions=commissions)


@dataclass(frozen=True, slots=True)
class CommissionMovement:
    """One affiliation's commissions in a time range: earned (recorded then, not
    cancelled since), approved then and paid then."""

    company_id: int
    affiliation_id: int
    earned: Decimal
    approved: Decimal
    paid: Decimal


def commission_movements_between(
    *, start: datetime, end: datetime, company_ids: Collection[int] | None = None
) -> list[CommissionMovement]:
    """Every affiliation's commission movements in [``start``, ``end``), for every company
    (or those given): three grouped queries, whatever the number of companies."""
    base = MarketerEarnedCommission.objects.all()
    if company_ids is not None:
        base = base.filter(company_id__in=company_ids)
    movements = {
        "earned": base.filter(created_at__gte=start, created_at__lt=end).exclude(
            status=CommissionStatus.CANCELLED
        ),
        # A paid commission was approved first, so it still counts as approved then.
        "approved": base.filter(
            approved_at__gte=start,
            approved_at__lt=end,
            status__in=[CommissionStatus.APPROVED, CommissionStatus.PAID],
        ),
        "paid": base.filter(paid_at__gte=start, paid_at__lt=end, status=CommissionStatus.PAID),
    }
    zero = Decimal("0.00")
    totals: dict[tuple[int, int], dict[str, Decimal]] = {}
    for name, queryset in movements.items():
        rows = (
            queryset.order_by()
            .values("company_id", "affiliation_id")
            .annotate(total=Sum("amount"))
            .values_list("company_id", "affiliation_id", "total")
        )
        for company_id, affiliation_id, total in rows:
            slot = totals.setdefault(
                (company_id, affiliation_id), {"earned": zero, "approved": zero, "paid": zero}
            )
            slot[name] = round_kobo(total)
    return [
        CommissionMovement(company_id=company_id, affiliation_id=affiliation_id, **amounts)
        for (company_id, affiliation_id), amounts in totals.items()
    ]


def affiliation_user_ids(*, company_id: int, affiliation_ids: Iterable[int]) -> dict[int, int]:
    """The marketer account of each of the company's affiliations, in one query."""
    return dict(
        MarketerAffiliation.objects.filter(
            company_id=company_id, pk__in=set(affiliation_ids)
        ).values_list("pk", "marketer__user_id")
    )
