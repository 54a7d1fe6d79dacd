"""Cached reads of the catalogue: each kind of write is seen by the very next read, pages
answer 304 to their ETag until something changes, and the plot counts come from cache."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from apps.core import pagination
from apps.estates.read_scopes import catalogue_changed
from apps.estates.selectors import plot_counts_by_estate, plots_count
from apps.usage.counters import reset_counter_store
from tests.estates.factories import ClientFactory, EstateFactory, PlotFactory
from tests.estates.sales import make_sale

pytestmark = pytest.mark.django_db

PLOTS = "/api/plots/"
PURCHASES = "/api/purchases/"


@pytest.fixture
def estate(company):
    return EstateFactory(company=company, name="Lekki Pearl")


@pytest.fixture
def plot(estate):
    return PlotFactory(estate=estate, plot_number="A-1", price=Decimal("1000000.00"))


def rows(client, url):
    body = client.get(url).json()
    return body["count"], {row["id"]: row for row in body["results"]}


def test_a_list_read_twice_is_served_from_the_cache(
    admin_client, plot, django_assert_max_num_queries
):
    rows(admin_client, PLOTS)
    # Only authentication's own queries are left: no count, no page.
    with django_assert_max_num_queries(3) as queries:
        count, found = rows(admin_client, PLOTS)
    assert count == 1 and plot.pk in found
    assert not any("estates_plot" in query["sql"] for query in queries.captured_queries)


def test_plot_create_update_and_delete_are_seen_by_the_next_read(
    admin_client, commit, estate, plot
):
    rows(admin_client, PLOTS)
    with commit():
        created = admin_client.post(
            PLOTS,
            {"estate": estate.pk, "plot_number": "B-2", "size_sqm": "300.00", "price": "5.00"},
            format="json",
        ).json()
    count, found = rows(admin_client, PLOTS)
    assert count == 2 and created["id"] in found
    with commit():
        admin_client.patch(f"{PLOTS}{plot.pk}/", {"price": "7.00"}, format="json")
    assert rows(admin_client, PLOTS)[1][plot.pk]["price"] == "7.00"
    with commit():
        assert admin_client.delete(f"{PLOTS}{created['id']}/").status_code == 204
    count, found = rows(admin_client, PLOTS)
    assert count == 1 and created["id"] not in found


def test_estate_rename_is_seen_in_the_plot_list(admin_client, commit, estate, plot):
    assert rows(admin_client, PLOTS)[1][plot.pk]["estate_name"] == "Lekki Pearl"
    with commit():
        admin_client.patch(f"/api/estates/{estate.pk}/", {"name": "Ajah Court"}, format="json")
    assert rows(admin_client, PLOTS)[1][plot.pk]["estate_name"] == "Ajah Court"


def test_a_sale_its_completion_and_cancellation_are_seen_by_the_next_read(
    admin_client, commit, company
):
    rows(admin_client, PLOTS), rows(admin_client, PURCHASES)
    with commit():
        sale = make_sale(company, complete=False)
    assert rows(admin_client, PLOTS)[1][sale.plot_id]["status"] == "reserved"
    assert rows(admin_client, PURCHASES)[1][sale.pk]["status"] == "pending"
    with commit():
        admin_client.post(f"{PURCHASES}{sale.pk}/complete/", format="json")
    assert rows(admin_client, PLOTS)[1][sale.plot_id]["status"] == "sold"
    assert rows(admin_client, PURCHASES)[1][sale.pk]["status"] == "completed"
    with commit():
        admin_client.post(f"{PURCHASES}{sale.pk}/cancel/", {"reason": "x"}, format="json")
    assert rows(admin_client, PLOTS)[1][sale.plot_id]["status"] == "available"
    assert rows(admin_client, PURCHASES)[1][sale.pk]["status"] == "cancelled"


def test_the_etag_answers_304_until_a_write(admin_client, commit, estate, plot):
    first = admin_client.get(PLOTS)
    etag = first["ETag"]
    assert first["Cache-Control"] == "no-store"  # kept by the client, never by a browser
    again = admin_client.get(PLOTS, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag
    assert admin_client.get(f"{PLOTS}?page_size=5", HTTP_IF_NONE_MATCH=etag).status_code == 200
    with commit():
        PlotFactory(estate=estate)  # no service, so bump as a service does
        catalogue_changed(estate.company_id)
    changed = admin_client.get(PLOTS, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert changed.json()["count"] == 2


def test_another_company_never_gets_a_cached_page(admin_client, plot, company):
    from tests.companies.factories import CompanyFactory, MembershipFactory
    from tests.conftest import client_for

    other = CompanyFactory()
    other_client = client_for(MembershipFactory(company=other, role="company_admin").user)
    etag = admin_client.get(PLOTS)["ETag"]
    response = other_client.get(PLOTS, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response.json()["count"] == 0


def test_a_client_sees_only_their_own_purchases_from_the_cache(admin_client, company):
    mine = make_sale(company)
    make_sale(company)
    from tests.conftest import client_for

    assert rows(admin_client, PURCHASES)[0] == 2
    client = client_for(mine.client.user)
    assert set(rows(client, PURCHASES)[1]) == {mine.pk}


def test_plot_counts_follow_plot_writes(admin_client, commit, estate, plot):
    assert admin_client.get(f"/api/estates/{estate.pk}/").json()["plot_count"] == 1
    with commit():
        make_sale(estate.company)
        admin_client.post(
            PLOTS,
            {"estate": estate.pk, "plot_number": "C-3", "size_sqm": "1.00", "price": "1.00"},
            format="json",
        )
    body = admin_client.get(f"/api/estates/{estate.pk}/").json()
    assert (body["plot_count"], body["available_plot_count"]) == (2, 2)
    assert plots_count(company_id=estate.company_id) == 3
    assert plot_counts_by_estate(company_id=estate.company_id)[estate.pk].plots == 2


def test_the_estate_list_does_not_aggregate_plots_on_a_warm_cache(
    admin_client, estate, plot, django_assert_max_num_queries
):
    admin_client.get("/api/estates/")
    with django_assert_max_num_queries(6) as queries:
        body = admin_client.get("/api/estates/").json()
    assert body["results"][0]["plot_count"] == 1
    assert not any("estates_plot" in query["sql"] for query in queries.captured_queries)


@pytest.fixture
def counters_follow_the_cache():
    reset_counter_store()
    yield
    reset_counter_store()


@pytest.mark.usefixtures("counters_follow_the_cache")
@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.1, "IGNORE_EXCEPTIONS": True},
        },
        "limits": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
)
def test_with_the_cache_down_everything_is_read_uncached(admin_client, commit, estate, plot):
    first = admin_client.get(PLOTS)
    assert first.status_code == 200 and first.json()["count"] == 1
    assert "ETag" not in first
    with commit():
        ClientFactory(company=estate.company)
        make_sale(estate.company)
    assert admin_client.get(PLOTS).json()["count"] == 2
    assert admin_client.get(PURCHASES).json()["count"] == 1
    assert admin_client.get(f"/api/estates/{estate.pk}/").json()["plot_count"] == 1


def test_an_edit_in_the_admin_is_seen_by_the_next_read(admin_client, estate, plot):
    from django.test import Client as BrowserClient

    from tests.accounts.factories import UserFactory

    assert rows(admin_client, PLOTS)[1][plot.pk]["price"] == "1000000.00"
    staff = BrowserClient()
    staff.force_login(UserFactory(is_staff=True, is_superuser=True))
    form = {
        "company": estate.company_id,
        "estate": estate.pk,
        "plot_number": plot.plot_number,
        "size_sqm": "450.00",
        "price": "2000000.00",
        "status": "available",
    }
    saved = staff.post(f"/admin/estates/plot/{plot.pk}/change/", form)
    assert saved.status_code == 302, saved.content[:2000]
    assert rows(admin_client, PLOTS)[1][plot.pk]["price"] == "2000000.00"


def test_the_estate_list_is_served_from_the_cache_until_a_plot_changes(
    admin_client, commit, estate, plot, django_assert_num_queries
):
    first = admin_client.get("/api/estates/")
    with django_assert_num_queries(0):
        again = admin_client.get("/api/estates/")
    assert again.json() == first.json() and again["ETag"] == first["ETag"]
    assert admin_client.get("/api/estates/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    with commit():
        admin_client.patch(f"{PLOTS}{plot.pk}/", {"status": "reserved"}, format="json")
    body = admin_client.get("/api/estates/").json()
    assert body["results"][0]["plot_count"] == 1
    assert body["results"][0]["available_plot_count"] == 0


def test_a_page_made_afresh_reads_its_cached_total_with_the_page(admin_client, plot, monkeypatch):
    # The listing cache reads the version, the page and the page's total in one round
    # trip: a page made afresh (a new URL) asks the cache for nothing more, and counts
    # nothing once the total is kept.
    real, reads = pagination.cache, []

    class Spy:
        def get(self, key, *args, **kwargs):
            reads.append(key)
            return real.get(key, *args, **kwargs)

        def set(self, *args, **kwargs):
            return real.set(*args, **kwargs)

    monkeypatch.setattr(pagination, "cache", Spy())
    assert rows(admin_client, f"{PLOTS}?nocache=1")[0] == 1  # counted, the total kept
    with CaptureQueriesContext(connection) as queries:
        assert rows(admin_client, f"{PLOTS}?nocache=2")[0] == 1
    assert reads == []
    assert not any("COUNT(" in query["sql"] for query in queries.captured_queries)


def test_list_pages_show_estate_names_without_joining_the_estates(
    admin_client, commit, company, estate, plot
):
    sale = make_sale(company)  # a plot of another estate, sold
    with CaptureQueriesContext(connection) as queries:
        plots = rows(admin_client, f"{PLOTS}?nocache=1")[1]
        purchases = rows(admin_client, f"{PURCHASES}?nocache=1")[1]
    pages = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].startswith('SELECT "estates_plot') and " LIMIT " in query["sql"]
    ]
    assert len(pages) == 2 and not any("estates_estate" in sql for sql in pages)
    other = sale.plot.estate.name
    assert {row["estate_name"] for row in plots.values()} == {"Lekki Pearl", other}
    assert purchases[sale.pk]["estate_name"] == other
    with commit():
        admin_client.patch(
            f"/api/estates/{sale.plot.estate_id}/", {"name": "Ajah Court"}, format="json"
        )
    assert rows(admin_client, f"{PURCHASES}?nocache=2")[1][sale.pk]["estate_name"] == "Ajah Court"
    with commit():
        added = EstateFactory(company=company, name="Epe Meadows")
        PlotFactory(estate=added, plot_number="E-1")
    names = {row["estate_name"] for row in rows(admin_client, f"{PLOTS}?nocache=2")[1].values()}
    assert names == {"Lekki Pearl", "Ajah Court", "Epe Meadows"}
