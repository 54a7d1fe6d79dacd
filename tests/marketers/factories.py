from decimal import Decimal

import factory
from django.utils import timezone

from apps.marketers.models import (
    AffiliationStatus,
    MarketerAffiliation,
    MarketerEarnedCommission,
    MarketerProfile,
)
from tests.accounts.factories import UserFactory
from tests.companies.factories import CompanyFactory


class MarketerProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MarketerProfile

    user = factory.SubFactory(UserFactory)
    phone = "+2348061234567"


class AffiliationFactory(factory.django.DjangoModelFactory):
    """An approved affiliation at 5 %, unless told otherwise."""

    class Meta:
        model = MarketerAffiliation

    company = factory.SubFactory(CompanyFactory)
    marketer = factory.SubFactory(MarketerProfileFactory)
    status = AffiliationStatus.APPROVED
    commission_rate = Decimal("5.00")
    decided_at = factory.LazyFunction(timezone.now)


class CommissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MarketerEarnedCommission

    affiliation = factory.SubFactory(AffiliationFactory)
    company = factory.SelfAttribute("affiliation.company")
    purchase = None  # pass one: a commission belongs to a sale
    rate = factory.SelfAttribute("affiliation.commission_rate")
    amount = Decimal("250000.00")
