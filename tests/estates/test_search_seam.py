"""SEARCH_BACKEND names the backend both searches use (the search endpoint and the plot
list's ?search=): a company that outgrows PostgreSQL's full text plugs its own in here,
and the endpoint's filters, facets, paging and tenancy stay the endpoint's."""

import pytest
from django.db.models import QuerySet
from django.test import override_settings

from apps.estates.search.backends import SimpleSearchBackend
from tests.estates.factories import EstateFactory, PlotFactory

pytestmark = pytest.mark.django_db

ASKED: list[tuple[str, int, str]] = []


class ExternalIndexBackend(SimpleSearchBackend):
    """Stands in for an external index: it answers by plot number only, newest first,
    and records what it was asked."""

    def containing(
        self, *, company_id: int, plots: QuerySet, text: str, catalogue_version: str | None
    ) -> QuerySet:
        ASKED.append(("containing", company_id, text))
        return plots.filter(plot_number__istartswith=text)

    def matching(self, *, company_id: int, plots: QuerySet, text: str) -> QuerySet:
        ASKED.append(("matching", company_id, text))
        return plots.filter(plot_number__istartswith=text)

    def ranked(self, *, plots: QuerySet, text: str) -> QuerySet:
        return plots.order_by("-id")


@pytest.fixture
def plots(company):
    ASKED.clear()
    lekki = EstateFactory(company=company, name="Lekki Gardens")
    return [
        PlotFactory(company=company, estate=lekki, plot_number=number)
        for number in ("LK-1", "LK-2", "A-1")
    ]


@override_settings(SEARCH_BACKEND=f"{__name__}.ExternalIndexBackend")
def test_the_search_endpoint_asks_the_configured_backend(admin_client, company, plots):
    body = admin_client.get("/api/plots/search/", {"q": "lk"}).json()
    # By plot number only (the built-in backends would find every plot of Lekki Gardens),
    # in the backend's order; counted and faceted by the endpoint.
    assert [item["plot_number"] for item in body["results"]] == ["LK-2", "LK-1"]
    assert body["count"] == 2
    assert sum(row["count"] for row in body["facets"]["estate"]) == 2
    assert ("matching", company.pk, "lk") in ASKED


@override_settings(SEARCH_BACKEND=f"{__name__}.ExternalIndexBackend")
def test_the_plot_lists_search_asks_the_configured_backend(admin_client, company, plots):
    body = admin_client.get("/api/plots/", {"search": "lekki"}).json()
    assert body["results"] == []  # no plot number starts with it
    body = admin_client.get("/api/plots/", {"search": "a-"}).json()
    assert [item["plot_number"] for item in body["results"]] == ["A-1"]
    assert ("containing", company.pk, "a-") in ASKED
