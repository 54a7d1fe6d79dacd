"""Two people selling the same plot at the same moment: exactly one sale (PostgreSQL)."""

import pytest

from apps.estates.errors import PlotUnavailable
from apps.estates.models import PlotPurchase, PlotStatus
from apps.estates.services import purchase_create
from tests.concurrency import run_together
from tests.estates.factories import ClientFactory, PlotFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("sellers", [2, 8])
def test_concurrent_sales_of_one_plot_make_exactly_one_purchase(sellers):
    plot = PlotFactory()
    clients = [ClientFactory(company=plot.company) for _ in range(sellers)]

    outcomes = run_together(
        *[
            lambda client=client: (
                purchase_create(company_id=plot.company_id, plot_id=plot.pk, client_id=client.pk).pk
            )
            for client in clients
        ]
    )

    successes = [outcome.value for outcome in outcomes if outcome.ok]
    failures = [outcome.error for outcome in outcomes if not outcome.ok]
    assert len(successes) == 1
    assert len(failures) == sellers - 1
    assert all(isinstance(failure, PlotUnavailable) for failure in failures), failures
    assert PlotPurchase.objects.filter(plot=plot).count() == 1
    plot.refresh_from_db()
    assert plot.status == PlotStatus.SOLD
