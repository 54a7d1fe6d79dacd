"""Two people selling the same plot at the same moment: exactly one sale (PostgreSQL)."""

import threading

import pytest
from django.db import connection

from apps.estates.errors import PlotUnavailable
from apps.estates.models import PlotPurchase, PlotStatus
from apps.estates.services import purchase_create
from tests.estates.factories import ClientFactory, PlotFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_concurrently(count, target):
    barrier = threading.Barrier(count)
    outcomes = []
    lock = threading.Lock()

    def worker(index):
        try:
            barrier.wait(timeout=10)
            result = target(index)
            outcome = ("ok", result)
        except Exception as exc:
            outcome = ("error", exc)
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.parametrize("sellers", [2, 8])
def test_concurrent_sales_of_one_plot_make_exactly_one_purchase(sellers):
    plot = PlotFactory()
    clients = [ClientFactory(company=plot.company) for _ in range(sellers)]

    outcomes = run_concurrently(
        sellers,
        lambda i: (
            purchase_create(company_id=plot.company_id, plot_id=plot.pk, client_id=clients[i].pk).pk
        ),
    )

    successes = [value for kind, value in outcomes if kind == "ok"]
    failures = [value for kind, value in outcomes if kind == "error"]
    assert len(successes) == 1
    assert len(failures) == sellers - 1
    assert all(isinstance(failure, PlotUnavailable) for failure in failures), failures
    assert PlotPurchase.objects.filter(plot=plot).count() == 1
    plot.refresh_from_db()
    assert plot.status == PlotStatus.SOLD
