from decimal import Decimal

import factory
from django.utils import timezone

from apps.companies.models import Membership
from apps.estates.models import Client, Estate, Plot
from tests.accounts.factories import UserFactory
from tests.companies.factories import CompanyFactory


class EstateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Estate

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Estate {n} Gardens")
    location = "Lekki-Epe Expressway"
    state = "Lagos"
    lga = "Eti-Osa"


class PlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plot

    estate = factory.SubFactory(EstateFactory)
    company = factory.SelfAttribute("estate.company")
    plot_number = factory.Sequence(lambda n: f"P-{n:04d}")
    size_sqm = Decimal("450.00")
    price = Decimal("5000000.00")


class ClientFactory(factory.django.DjangoModelFactory):
    """A client who has joined (as accepting the invitation leaves it)."""

    class Meta:
        model = Client
        skip_postgeneration_save = True

    company = factory.SubFactory(CompanyFactory)
    user = factory.SubFactory(UserFactory)
    email = factory.LazyAttribute(lambda client: client.user.email)
    joined_at = factory.LazyFunction(timezone.now)
    phone = "+2348031234567"
    address = "12 Admiralty Way, Lekki"

    @factory.post_generation
    def membership(self, create: bool, extracted: object, **kwargs: object) -> None:
        # As accepting the invitation does: the client becomes a member with the client role.
        if create and self.user is not None:
            Membership.objects.get_or_create(
                company=self.company, user=self.user, defaults={"role": "client"}
            )
