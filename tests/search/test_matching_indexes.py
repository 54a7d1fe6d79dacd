"""Matching a new plot reads the saved searches by index: on PostgreSQL the GIN index
on their words (every prefix of the plot's words finds them) and the partial index by
company and place; the matches are exactly what each saved query matches."""

from decimal import Decimal

import pytest
from django.db import connection

from apps.estates.selectors import plot_for_search_matching
from apps.estates.services import plot_create
from apps.search.models import SavedSearch
from apps.search.selectors import (
    _filters_matching,
    _postgres_matching,
    saved_searches_matching_plot,
    vector_prefixes,
)
from apps.search.services import saved_search_create
from tests.companies.factories import MembershipFactory
from tests.estates.factories import EstateFactory

pytestmark = pytest.mark.django_db


def test_vector_prefixes_are_every_start_of_every_word():
    vector = "'a':1A 'ajah':3A,7B 'it''s':9C"
    assert vector_prefixes(vector) == ["a", "aj", "aja", "ajah", "i", "it", "it'", "it's"]
    assert vector_prefixes("") == []


@pytest.fixture
def estate(company):
    return EstateFactory(
        company=company,
        name="Ajah Harmony Park",
        location="35 Ajah Road",
        state="Lagos",
        lga="Eti-Osa",
        description="Tarred roads, street lights",
    )


def saved(company, query="", **filters):
    owner = MembershipFactory(company=company, role="client").user
    return saved_search_create(
        company_id=company.pk,
        owner_id=owner.pk,
        name="s",
        query=query,
        filters=filters,
        notify=True,
    )


def test_matches_are_each_saved_querys_own(company, estate, commit):
    expected = [
        saved(company),
        saved(company, "harm"),
        saved(company, "ajah park"),
        saved(company, "tar str", state="Lagos"),
        saved(company, "b-1", lga="eti-osa", status="available"),
        saved(company, "ETI osa"),
    ]
    for query, filters in [
        ("harmonies", {}),
        ("ajah ikoyi", {}),
        ("park", {"state": "Ogun"}),
        ("", {"status": "sold"}),
        ("b-2", {}),
        ("roads", {"lga": "Ikeja"}),
    ]:
        saved(company, query, **filters)
    with commit():
        plot = plot_create(
            company_id=company.pk,
            estate_id=estate.pk,
            plot_number="B-1",
            size_sqm=Decimal("500"),
            price=Decimal("18000000"),
        )
    found = saved_searches_matching_plot(company_id=company.pk, plot_id=plot.pk)
    assert sorted(match.saved_search_id for match in found.matches) == sorted(
        search.pk for search in expected
    )


@pytest.mark.postgres
def test_postgres_reads_saved_searches_through_their_indexes(company, commit):
    # Few words in the plot (so few prefixes to look up).
    estate = EstateFactory(
        company=company, name="Zu", location="Zu", state="Lagos", lga="Epe", description=""
    )
    owner = MembershipFactory(company=company, role="client").user
    # Enough saved searches, with words and places of their own, for the planner to
    # choose by the data (bench/search.py shows the plan at 100,000).
    SavedSearch.objects.bulk_create(
        SavedSearch(
            company=company,
            owner=owner,
            name=f"s{n}",
            notify=True,
            query=f"w{n % 20}",
            match_terms=f"w{n % 20}",
            match_query=f"'w{n % 20}':*",
            state=f"s{n % 50}",
        )
        for n in range(3000)
    )
    saved(company, "zu", state="Lagos")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE search_savedsearch")
    with commit():
        plot = plot_create(
            company_id=company.pk,
            estate_id=estate.pk,
            plot_number="1",
            size_sqm=Decimal("500"),
            price=Decimal("18000000"),
        )
    to_match = plot_for_search_matching(company_id=company.pk, plot_id=plot.pk, with_vector=True)
    candidates = _filters_matching(to_match)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a few pages: any index beats none
        # The words' condition alone (the place's is beside it in the real query).
        by_words = _postgres_matching(
            SavedSearch.objects.filter(notify=True), to_match.search_vector
        ).explain()
        by_place = candidates.explain()
    assert "saved_search_notify_words" in by_words
    assert "saved_search_notify_place" in by_place
    found = saved_searches_matching_plot(company_id=company.pk, plot_id=plot.pk)
    assert len(found.matches) == 1
