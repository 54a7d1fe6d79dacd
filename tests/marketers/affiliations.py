"""Affiliations in a given state, for the marketers tests."""

from decimal import Decimal

from apps.marketers import services
from apps.marketers.models import AffiliationStatus
from tests.marketers.factories import AffiliationFactory


def pending_affiliation(company, **fields):
    """A fresh application, as affiliation_request leaves it."""
    return AffiliationFactory(
        company=company,
        status=AffiliationStatus.PENDING,
        commission_rate=None,
        decided_at=None,
        **fields,
    )


def approved_affiliation(company, rate="5.00", by=None):
    """An application approved through the real service (so the marketer is a member)."""
    affiliation = pending_affiliation(company)
    return services.affiliation_approve(
        company_id=company.pk,
        affiliation_id=affiliation.pk,
        decided_by_id=by.pk if by else None,
        commission_rate=Decimal(rate),
    )
