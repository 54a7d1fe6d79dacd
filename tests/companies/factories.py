from datetime import timedelta

import factory
from django.utils import timezone

from apps.companies.models import Company, Membership, SubscriptionStatus, Tier
from apps.companies.services import api_key_create
from tests.accounts.factories import UserFactory


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n} Realty")
    slug = factory.Sequence(lambda n: f"company-{n}")
    billing_email = factory.Sequence(lambda n: f"billing{n}@company.ng")
    subscription_tier = Tier.PROFESSIONAL
    subscription_status = SubscriptionStatus.ACTIVE
    trial_ends_at = None
    max_plots = 1000
    max_agents = 25
    max_api_calls_daily = 10000


class TrialCompanyFactory(CompanyFactory):
    subscription_tier = Tier.STARTER
    subscription_status = SubscriptionStatus.TRIALING
    trial_ends_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
    max_plots = 100
    max_agents = 5
    max_api_calls_daily = 1000


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    company = factory.SubFactory(CompanyFactory)
    user = factory.SubFactory(UserFactory)
    role = "company_admin"


def make_api_key(company: Company, name: str = "Website") -> str:
    """Create a key through the service and return the raw key."""
    return api_key_create(company_id=company.pk, name=name, created_by_id=None).raw_key
