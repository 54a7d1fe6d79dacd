"""Read-side of marketers for other apps: plain data, never ORM rows."""

from dataclasses import dataclass
from decimal import Decimal

from apps.marketers.models import AffiliationStatus, MarketerAffiliation


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
