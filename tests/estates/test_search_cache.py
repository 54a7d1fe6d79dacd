"""Search answers cached per company and query: read again from the cache (and counted
in the analytics all the same), 304 to their ETag, and never stale: each kind of write
to estates, plots or sales is seen by the very next search. With the cache down the
search still answers, uncached."""

from decimal import Decimal

import pytest
from django.test.utils import override_settings

from apps.estates.services import estate_update
from apps.search.models import SearchTermDay
from apps.search.services import search_analytics_flush
from apps.usage.counters import reset_counter_store
from tests.companies.factories import CompanyFactory, MembershipFactory
from tests.conftest import client_for
from tests.estates.factories import EstateFactory, PlotFactory
from tests.estates.sales import make_sale

pytestmark = pytest.mark.django_db

URL = "/api/plots/search/"


@pytest.fixture
def estate(company):
    return EstateFactory(company=company, name="Lekki Pearl", state="Lagos")


@pytest.fixture
def plot(estate):
    return PlotFactory(estate=estate, plot_number="A-1", price=Decimal("4000000"))


def search(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    body = response.json()
    return {row["id"]: row for row in body["results"]}, body


def touches_plots(queries):
    return any("estates_plot" in query["sql"] for query in queries.captured_queries)


def test_a_search_made_again_is_read_from_the_cache_and_still_counted(
    admin_client, plot, django_assert_max_num_queries
):
    first = search(admin_client, q="lekki")[1]
    with django_assert_max_num_queries(3) as queries:  # the caller's, if any
        again = search(admin_client, q="lekki")[1]
    assert again == first and not touches_plots(queries)
    marketer = client_for(MembershipFactory(company=plot.company, role="marketer").user)
    with django_assert_max_num_queries(3) as queries:
        assert search(marketer, q="lekki")[1] == first  # members share the entry
    assert not touches_plots(queries)
    search_analytics_flush()
    counted = SearchTermDay.objects.filter(company=plot.company, term="lekki")
    assert sum(row.searches for row in counted) == 3


def test_an_uncached_search_is_three_queries_and_counts_from_the_facets(
    admin_client, plot, django_assert_max_num_queries
):
    search(admin_client, q="lekki", n="1")  # warm the caller's caches
    # The estates near the words (typos, PostgreSQL), the facets (which give the total)
    # and the page; no COUNT(*).
    with django_assert_max_num_queries(3) as queries:
        assert search(admin_client, q="lekki", n="2")[1]["count"] == 1
    assert not any('"__count"' in query["sql"] for query in queries.captured_queries)


def test_the_etag_answers_304_until_a_write_and_304s_are_counted(
    admin_client, commit, estate, plot
):
    first = admin_client.get(URL, {"q": "lekki"})
    etag = first["ETag"]
    again = admin_client.get(URL, {"q": "lekki"}, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag
    assert admin_client.get(URL, {"q": "pearl"}, HTTP_IF_NONE_MATCH=etag).status_code == 200
    with commit():
        admin_client.patch(f"/api/plots/{plot.pk}/", {"price": "5000000.00"}, format="json")
    changed = admin_client.get(URL, {"q": "lekki"}, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert changed.json()["results"][0]["price"] == "5000000.00"
    search_analytics_flush()
    assert SearchTermDay.objects.get(company=estate.company, term="lekki").searches == 3


def test_plot_create_update_and_delete_are_seen_by_the_next_search(
    admin_client, commit, estate, plot
):
    search(admin_client, q="lekki")
    with commit():
        created = admin_client.post(
            "/api/plots/",
            {"estate": estate.pk, "plot_number": "B-2", "size_sqm": "300.00", "price": "5.00"},
            format="json",
        ).json()
    found, body = search(admin_client, q="lekki")
    assert set(found) == {plot.pk, created["id"]} and body["count"] == 2
    with commit():
        admin_client.patch(f"/api/plots/{plot.pk}/", {"status": "reserved"}, format="json")
    statuses = {
        row["value"]: row["count"] for row in search(admin_client, q="lekki")[1]["facets"]["status"]
    }
    assert statuses == {"available": 1, "reserved": 1}
    with commit():
        admin_client.patch(f"/api/plots/{plot.pk}/", {"plot_number": "Q-77"}, format="json")
    assert set(search(admin_client, q="q-77")[0]) == {plot.pk}
    with commit():
        assert admin_client.delete(f"/api/plots/{created['id']}/").status_code == 204
    assert set(search(admin_client, q="lekki")[0]) == {plot.pk}


def test_estate_changes_are_seen_by_the_next_search(admin_client, commit, company, estate, plot):
    search(admin_client, q="ogba")
    search(admin_client, state="Lagos")
    with commit():
        admin_client.patch(
            f"/api/estates/{estate.pk}/", {"name": "Ogba Meadows", "state": "Ogun"}, format="json"
        )
    assert set(search(admin_client, q="ogba")[0]) == {plot.pk}
    assert search(admin_client, state="Lagos")[0] == {}
    empty = EstateFactory(company=company, name="Ogba Annex")
    search(admin_client)
    with commit():
        assert admin_client.delete(f"/api/estates/{empty.pk}/").status_code == 204
    facets = search(admin_client)[1]["facets"]["estate"]
    assert [row["id"] for row in facets] == [estate.pk]
    with commit():  # through the service, as other apps' writes are
        estate_update(company_id=company.pk, estate_id=estate.pk, data={"name": "Yaba Court"})
    assert set(search(admin_client, q="yaba")[0]) == {plot.pk}


def test_a_sale_and_its_cancellation_are_seen_by_the_next_search(admin_client, commit, company):
    search(admin_client, status="available")
    with commit():
        sale = make_sale(company, complete=False)
    assert sale.plot_id not in search(admin_client, status="available")[0]
    assert sale.plot_id in search(admin_client, status="reserved")[0]
    with commit():
        admin_client.post(f"/api/purchases/{sale.pk}/cancel/", {"reason": "x"}, format="json")
    assert sale.plot_id in search(admin_client, status="available")[0]


def test_an_edit_in_the_admin_is_seen_by_the_next_search(admin_client, estate, plot):
    from django.test import Client as BrowserClient

    from tests.accounts.factories import UserFactory

    assert search(admin_client, q="lekki")[0][plot.pk]["price"] == "4000000.00"
    staff = BrowserClient()
    staff.force_login(UserFactory(is_staff=True, is_superuser=True))
    form = {
        "company": estate.company_id,
        "estate": estate.pk,
        "plot_number": plot.plot_number,
        "size_sqm": plot.size_sqm,
        "price": "2000000.00",
        "status": "available",
    }
    assert staff.post(f"/admin/estates/plot/{plot.pk}/change/", form).status_code == 302
    assert search(admin_client, q="lekki")[0][plot.pk]["price"] == "2000000.00"


def test_another_company_never_gets_a_cached_answer(admin_client, plot):
    etag = admin_client.get(URL, {"q": "lekki"})["ETag"]
    other = client_for(MembershipFactory(company=CompanyFactory(), role="company_admin").user)
    response = other.get(URL, {"q": "lekki"}, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response.json()["count"] == 0


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
def test_with_the_cache_down_the_search_answers_uncached(admin_client, commit, estate, plot):
    first = admin_client.get(URL, {"q": "lekki"})
    assert first.status_code == 200 and first.json()["count"] == 1
    assert "ETag" not in first
    with commit():
        admin_client.post(
            "/api/plots/",
            {"estate": estate.pk, "plot_number": "B-2", "size_sqm": "300.00", "price": "5.00"},
            format="json",
        )
    assert search(admin_client, q="lekki")[1]["count"] == 2
