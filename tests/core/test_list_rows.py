"""Lists read as values() rows (apps.core.list_rows): the same answer as the serializer,
fewer queries and no filter work when none is asked, and pages past the middle read
from the end with the same rows as reading forward."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.core.list_rows import row_reader
from apps.estates.models import Plot, PlotPurchase
from apps.estates.serializers import EstateSerializer, PlotSerializer, PurchaseSerializer
from apps.estates.services import purchase_cancel
from apps.marketers.models import MarketerEarnedCommission
from apps.marketers.serializers import AffiliationSerializer, CommissionSerializer
from tests.estates.factories import EstateFactory, PlotFactory
from tests.estates.sales import make_sale
from tests.marketers.factories import AffiliationFactory, CommissionFactory

pytestmark = pytest.mark.django_db


def as_json(data):
    return json.loads(json.dumps(data, default=str))


def both_ways(serializer_class, queryset):
    """The serializer's answer and the reader's, for every row of ``queryset``."""
    reader = row_reader(serializer_class)
    assert reader is not None
    expected = serializer_class(queryset, many=True).data
    shown = reader.represent(queryset.values(*reader.paths))
    return as_json(expected), as_json(shown)


@pytest.fixture
def catalogue(company):
    estates = [EstateFactory(company=company, name=name) for name in ("Lekki Pearl", "Ajah")]
    return [
        PlotFactory(
            estate=estates[n % 2],
            plot_number=f"B-{n}",
            price=Decimal("1000000.5") + n,
            size_sqm=Decimal("300") + n,
        )
        for n in range(6)
    ]


def test_plot_rows_are_what_the_serializer_answers(catalogue, company):
    expected, shown = both_ways(PlotSerializer, Plot.objects.filter(company=company).order_by("id"))
    assert shown == expected
    assert [list(row) for row in shown] == [list(row) for row in expected]  # same key order


def test_purchase_rows_with_and_without_marketer_completion_or_cancellation(company):
    affiliation = AffiliationFactory(company=company)
    make_sale(company, affiliation=affiliation)
    pending = make_sale(company, complete=False)
    purchase_cancel(company_id=company.pk, purchase_id=pending.pk, reason="changed mind")
    make_sale(company, complete=False)
    queryset = PlotPurchase.objects.filter(company=company).order_by("id")
    expected, shown = both_ways(PurchaseSerializer, queryset)
    assert shown == expected
    assert {row["affiliation"] for row in shown} == {affiliation.pk, None}
    assert any(row["cancelled_at"] for row in shown) and any(row["completed_at"] for row in shown)


def test_commission_rows_are_what_the_serializer_answers(company):
    affiliation = AffiliationFactory(company=company)
    sale = make_sale(company, affiliation=affiliation)
    other = make_sale(company)
    MarketerEarnedCommission.objects.filter(company=company).delete()
    CommissionFactory(affiliation=affiliation, purchase=sale)
    CommissionFactory(
        affiliation=affiliation, purchase=other, approved_at=timezone.now(), status="approved"
    )
    queryset = MarketerEarnedCommission.objects.filter(company=company).order_by("id")
    expected, shown = both_ways(CommissionSerializer, queryset)
    assert shown == expected and len(shown) == 2


def test_serializers_with_fields_no_column_holds_keep_the_serializer():
    # Method fields and counts set by the view: these lists answer through DRF.
    assert row_reader(AffiliationSerializer) is None
    assert row_reader(EstateSerializer) is None


def test_the_plot_list_answers_as_the_serializer_does(admin_client, catalogue):
    body = admin_client.get("/api/plots/?page_size=100").json()
    ordered = sorted(catalogue, key=lambda plot: (plot.estate_id, plot.plot_number, plot.pk))
    assert body["results"] == as_json(PlotSerializer(ordered, many=True).data)
    assert body["count"] == 6


def test_an_uncached_page_with_a_cached_total_is_one_query(
    admin_client, catalogue, django_assert_num_queries
):
    admin_client.get("/api/plots/?page=1")  # authentication and the total, cached
    # Parameters no filter reads make a new page, whose total is already known.
    with django_assert_num_queries(1) as queries:
        body = admin_client.get("/api/plots/?page=1&_=12345").json()
    assert body["count"] == 6
    assert "COUNT" not in queries.captured_queries[0]["sql"].upper()


def test_filters_still_apply_and_a_bad_value_is_still_a_400(admin_client, catalogue):
    estate_id = catalogue[0].estate_id
    body = admin_client.get(f"/api/plots/?estate={estate_id}").json()
    assert body["count"] == 3 and {row["estate"] for row in body["results"]} == {estate_id}
    response = admin_client.get("/api/plots/?status=bogus")
    assert response.status_code == 400
    assert "status" in response.json()["error"]["details"]
    assert admin_client.get("/api/plots/?min_price=abc").status_code == 400


def test_totals_differ_per_filter(admin_client, catalogue):
    estate_id = catalogue[0].estate_id
    assert admin_client.get("/api/plots/").json()["count"] == 6
    assert admin_client.get(f"/api/plots/?estate={estate_id}").json()["count"] == 3
    assert admin_client.get("/api/plots/?status=sold").json()["count"] == 0


@pytest.fixture
def many_plots(company):
    estates = [EstateFactory(company=company) for _ in range(3)]
    prices = [Decimal("100.00"), Decimal("200.00"), Decimal("100.00")]
    return [
        PlotFactory(estate=estates[n % 3], price=prices[n % 3], plot_number=f"C-{n % 4}-{n}")
        for n in range(23)
    ]


@pytest.mark.parametrize("ordering", ["", "price", "-price", "size_sqm,-price", "-created_at"])
def test_pages_past_the_middle_have_the_rows_of_the_forward_order(
    admin_client, many_plots, ordering
):
    query = f"ordering={ordering}&" if ordering else ""
    everything = [
        row["id"] for row in admin_client.get(f"/api/plots/?{query}page_size=100").json()["results"]
    ]
    pages = [
        [
            row["id"]
            for row in admin_client.get(f"/api/plots/?{query}page_size=5&page={n}").json()[
                "results"
            ]
        ]
        for n in range(1, 6)
    ]
    assert [len(page) for page in pages] == [5, 5, 5, 5, 3]
    assert [plot_id for page in pages for plot_id in page] == everything


def test_the_last_page_is_read_from_the_end_without_an_offset(admin_client, many_plots):
    admin_client.get("/api/plots/?page_size=5&page=1")  # the total, cached
    with CaptureQueriesContext(connection) as queries:
        body = admin_client.get("/api/plots/?page_size=5&page=5").json()
    assert len(body["results"]) == 3 and body["next"] is None
    (page_query,) = [q["sql"] for q in queries.captured_queries if "estates_plot" in q["sql"]]
    assert "OFFSET" not in page_query.upper() and "DESC" in page_query.upper()
