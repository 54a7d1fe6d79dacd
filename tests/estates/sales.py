"""Builds sales through the real service, for tests of several apps."""

from apps.estates.services import purchase_create
from tests.estates.factories import ClientFactory, PlotFactory


def make_sale(company, *, affiliation=None, complete=True, price=None):
    """Sell a new plot of ``company`` to a new client, optionally through ``affiliation``."""
    plot = PlotFactory(estate__company=company, **({"price": price} if price else {}))
    client = ClientFactory(company=company)
    return purchase_create(
        company_id=company.pk,
        plot_id=plot.pk,
        client_id=client.pk,
        affiliation_id=affiliation.pk if affiliation else None,
        complete=complete,
    )
