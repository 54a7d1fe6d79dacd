from decimal import Decimal

import factory

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
    class Meta:
        model = Client

    company = factory.SubFactory(CompanyFactory)
    user = factory.SubFactory(UserFactory)
    phone = "08031234567"
    address = "12 Admiralty Way, Lekki"
