"""Searches counted cheaply (buffered, flushed in bulk) and reported to company admins:
top terms and terms that found nothing, for a date range."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apps.search import services
from apps.search.analytics_buffer import LocalSearchBuffer, RedisSearchBuffer, search_buffer
from apps.search.models import SearchTermDay
from apps.search.services import search_analytics_flush
from apps.search.tasks import flush_search_analytics
from tests.companies.factories import CompanyFactory, MembershipFactory
from tests.conftest import client_for
from tests.estates.factories import EstateFactory, PlotFactory

pytestmark = pytest.mark.django_db

SEARCH = "/api/plots/search/"
ANALYTICS = "/api/search/analytics/"


@pytest.fixture
def plots(company):
    lekki = EstateFactory(company=company, name="Lekki Pearl", state="Lagos")
    PlotFactory.create_batch(2, estate=lekki)


def test_searches_are_buffered_then_flushed_in_bulk(
    company, admin_client, plots, django_assert_num_queries
):
    marketer = client_for(MembershipFactory(company=company, role="marketer").user)
    for _ in range(3):
        admin_client.get(SEARCH, {"q": "Lekki"})
    marketer.get(SEARCH, {"q": "  lekki "})
    marketer.get(SEARCH, {"q": "ikoyi", "state": "Lagos"})
    admin_client.get(SEARCH, {"state": "Lagos"})
    assert not SearchTermDay.objects.exists()  # nothing written per request

    # The companies, and one upsert (in a savepoint here: its two statements).
    with django_assert_num_queries(4):
        assert search_analytics_flush() == 4
    rows = {
        (row.role, row.term, tuple(sorted(row.filters))): (
            row.searches,
            row.zero_results,
            row.results,
        )
        for row in SearchTermDay.objects.filter(company=company)
    }
    # Searches, those that found nothing, and the plots found in all (two a search).
    assert rows == {
        ("company_admin", "lekki", ()): (3, 0, 6),
        ("marketer", "lekki", ()): (1, 0, 2),
        ("marketer", "ikoyi", ("state",)): (1, 1, 0),
        ("company_admin", "", ("state",)): (1, 0, 2),
    }
    assert search_analytics_flush() == 0  # the buffer is empty now

    admin_client.get(SEARCH, {"q": "lekki"})
    assert flush_search_analytics() == 1
    row = SearchTermDay.objects.get(role="company_admin", term="lekki")
    assert (row.searches, row.results) == (4, 8)


def test_admins_get_top_and_zero_result_terms_for_a_range(company, admin_client, plots):
    today = timezone.localdate()
    for term, searches, zero, results, day in [
        ("lekki", 9, 0, 90, today),
        ("lekki", 4, 0, 10, today - timedelta(days=2)),
        ("ikoyi", 5, 5, 0, today),
        ("ajah", 2, 1, 3, today),
        ("", 30, 0, 600, today),
        ("banana", 50, 50, 0, today - timedelta(days=40)),
    ]:
        SearchTermDay.objects.create(
            company=company,
            day=day,
            role="client",
            term=term,
            filters_key=f"k{searches}",
            searches=searches,
            zero_results=zero,
            results=results,
        )
    SearchTermDay.objects.create(
        company=CompanyFactory(),
        day=today,
        role="client",
        term="lekki",
        filters_key="x",
        searches=99,
    )

    body = admin_client.get(ANALYTICS).json()
    assert body["start"] == (today - timedelta(days=30)).isoformat()
    assert body["end"] == today.isoformat()
    assert (body["searches"], body["zero_results"]) == (50, 6)
    assert body["top_terms"] == [
        {"term": "lekki", "searches": 13, "zero_results": 0, "average_results": "7.7"},
        {"term": "ikoyi", "searches": 5, "zero_results": 5, "average_results": "0.0"},
        {"term": "ajah", "searches": 2, "zero_results": 1, "average_results": "1.5"},
    ]
    assert [row["term"] for row in body["zero_result_terms"]] == ["ikoyi", "ajah"]

    narrow = admin_client.get(ANALYTICS, {"start": today.isoformat(), "end": today.isoformat()})
    assert narrow.json()["top_terms"][0] == {
        "term": "lekki",
        "searches": 9,
        "zero_results": 0,
        "average_results": "10.0",
    }


def test_only_company_admins_see_analytics(company):
    for role in ("marketer", "client"):
        response = client_for(MembershipFactory(company=company, role=role).user).get(ANALYTICS)
        assert response.status_code == 403


@pytest.mark.parametrize(
    ("params", "bad"),
    [
        ({"start": "2026-02-30"}, "start"),
        ({"end": "soon"}, "end"),
        ({"start": "2026-05-02", "end": "2026-05-01"}, "start"),
        ({"start": "2020-01-01", "end": "2026-01-01"}, "start"),
        ({"end": "0001-01-01"}, "end"),  # its default start would be before the calendar
        ({"start": "2026-W48"}, "start"),
        ({"end": "\u0662\u0660\u0662\u0666-11-28"}, "end"),
        ({"start": "2026-11-28\n"}, "start"),
    ],
)
def test_a_bad_range_is_a_400_naming_it(admin_client, params, bad):
    response = admin_client.get(ANALYTICS, params)
    assert response.status_code == 400
    assert bad in response.json()["error"]["details"]


def test_a_search_is_answered_even_if_it_cannot_be_counted(admin_client, plots, monkeypatch):
    def broken():
        raise ConnectionError("buffer down")

    monkeypatch.setattr("apps.search.services.search_buffer", broken)
    assert admin_client.get(SEARCH, {"q": "lekki"}).status_code == 200


def test_a_deleted_companys_counts_are_dropped(plots, admin_client, company):
    admin_client.get(SEARCH, {"q": "lekki"})
    other = CompanyFactory()
    other_admin = client_for(MembershipFactory(company=other, role="company_admin").user)
    other_admin.get(SEARCH, {"q": "gone"})
    other.delete()
    assert search_analytics_flush() == 2
    assert list(SearchTermDay.objects.values_list("term", flat=True)) == ["lekki"]


@pytest.mark.redis
def test_redis_buffer_keeps_searches_counted_during_a_flush(company, admin_client, plots):
    assert isinstance(search_buffer(), RedisSearchBuffer)
    admin_client.get(SEARCH, {"q": "lekki"})
    buffer = RedisSearchBuffer()
    taken = buffer.take()
    admin_client.get(SEARCH, {"q": "lekki"})  # counted while the flush runs
    assert list(taken.values()) == [[1, 0, 2]]  # searches, none found, plots found
    # The flush failed before done(): the next one takes its leftovers and the new search.
    assert search_analytics_flush() == 1
    row = SearchTermDay.objects.get(term="lekki")
    assert (row.searches, row.zero_results, row.results) == (2, 0, 4)
    assert search_analytics_flush() == 0


def test_embedded_reports_count_every_search_so_far(company, admin_client, plots, settings):
    """No beat runs in the embedded mode: the report writes the buffer first."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert isinstance(search_buffer(), LocalSearchBuffer)
    admin_client.get(SEARCH, {"q": "lekki"})
    admin_client.get(SEARCH, {"q": "nowhere"})
    body = admin_client.get(ANALYTICS).json()
    assert (body["searches"], body["zero_results"]) == (2, 1)
    assert [row["term"] for row in body["zero_result_terms"]] == ["nowhere"]


@pytest.mark.redis
def test_with_redis_only_beats_flush_writes_the_counts(company, admin_client, plots):
    assert isinstance(search_buffer(), RedisSearchBuffer)
    admin_client.get(SEARCH, {"q": "lekki"})
    assert admin_client.get(ANALYTICS).json()["searches"] == 0
    flush_search_analytics()
    assert admin_client.get(ANALYTICS).json()["searches"] == 1


def test_two_flushes_at_once_write_each_search_once(
    company, admin_client, plots, settings, monkeypatch
):
    """Two reports at once in the embedded mode: the second flush waits for the first,
    then finds nothing left to write (it would take the first's counts again)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    admin_client.get(SEARCH, {"q": "lekki"})
    second: dict[str, object] = {}
    names = services.company_names_for

    def flush_again() -> None:
        try:
            second["written"] = search_analytics_flush()
        finally:
            connection.close()  # this thread's own connection

    def names_while_a_second_flush_starts(**kwargs):
        if "thread" not in second:  # the first flush only
            second["thread"] = threading.Thread(target=flush_again)
            second["thread"].start()
            second["thread"].join(0.3)
            second["waited"] = second["thread"].is_alive()
        return names(**kwargs)

    monkeypatch.setattr(services, "company_names_for", names_while_a_second_flush_starts)
    assert search_analytics_flush() == 1
    second["thread"].join(5)
    assert second == {"thread": second["thread"], "waited": True, "written": 0}
    row = SearchTermDay.objects.get(term="lekki")
    assert (row.searches, row.results) == (1, 2)
