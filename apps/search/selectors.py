"""Read-side of search for other apps: the saved searches a new plot matches, and what a
company's people searched for."""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.db import connection
from django.db.models import BooleanField, F, Q, QuerySet, Sum, Value
from django.db.models.expressions import RawSQL

from apps.companies.selectors import active_member_user_ids
from apps.estates.selectors import PlotToMatch, plot_for_search_matching
from apps.search.models import SavedSearch, SearchTermDay


class SavedSearchMatch(NamedTuple):
    # A tuple, not a frozen dataclass: one is made for each of many thousand matches.
    saved_search_id: int
    owner_id: int
    name: str


@dataclass(frozen=True, slots=True)
class PlotMatched:
    """A new plot and the saved searches (of current members) it matches."""

    plot_id: int
    company_id: int
    plot_number: str
    estate_name: str
    price: str
    matches: tuple[SavedSearchMatch, ...]


def _unset_or(field: str, value: object) -> Q:
    # IN, not OR: an index condition of the partial (company, state, lga, status) index.
    return Q(**{f"{field}__in": ["", value]})


def _bounds(low: str, high: str, value: object) -> Q:
    if value is None:  # the plot has no such value: only searches without the bound
        return Q(**{f"{low}__isnull": True}, **{f"{high}__isnull": True})
    return (Q(**{f"{low}__isnull": True}) | Q(**{f"{low}__lte": value})) & (
        Q(**{f"{high}__isnull": True}) | Q(**{f"{high}__gte": value})
    )


def _filters_matching(plot: PlotToMatch) -> QuerySet:
    """The company's saved searches (asking to be told) whose filters the plot passes."""
    return (
        SavedSearch.objects.filter(company_id=plot.company_id, notify=True)
        .order_by()
        .filter(Q(estate_id__isnull=True) | Q(estate_id=plot.estate_id))
        .filter(_unset_or("status", plot.status))
        .filter(_unset_or("state", plot.state))
        .filter(_unset_or("lga", plot.lga))
        # The saved location is part of the plot's (both lower-cased).
        .alias(plot_location=Value(plot.location))
        .filter(Q(location="") | Q(plot_location__contains=F("location")))
        .filter(_bounds("min_price", "max_price", plot.price))
        .filter(_bounds("min_size", "max_size", plot.size_sqm))
        .filter(_bounds("min_price_per_sqm", "max_price_per_sqm", plot.price_per_sqm))
        .filter(Q(created_since__isnull=True) | Q(created_since__lte=plot.created_on))
    )


# A lexeme in a tsvector's text form: 'word' with quotes doubled, then its positions.
_LEXEME = re.compile(r"'((?:[^']|'')*)'")


def vector_prefixes(vector: str) -> list[str]:
    """Every prefix of every word of a tsvector (as text): a saved search's prefix query
    matches the vector exactly when each of its words is one of these."""
    prefixes: set[str] = set()
    for match in _LEXEME.finditer(vector):
        word = match.group(1).replace("''", "'")
        prefixes.update(word[:end] for end in range(1, len(word) + 1))
    return sorted(prefixes)


def _postgres_matching(saved: QuerySet, vector: str) -> QuerySet:
    """On PostgreSQL: the searches whose words are all prefixes of the plot's words, found
    by the GIN index on their words (migration 0003; those without words too), then each
    saved query (its generated tsquery) against the plot's stored ``vector``."""
    words_ok = RawSQL(
        "search_savedsearch.match_words <@ %s::text[]",
        [vector_prefixes(vector)],
        output_field=BooleanField(),
    )
    text_ok = RawSQL(
        "search_savedsearch.match_tsquery @@ %s::tsvector",
        [vector],
        output_field=BooleanField(),
    )
    return (
        saved.alias(words_ok=words_ok, text_ok=text_ok)
        .filter(words_ok=True)
        .filter(Q(match_query="") | Q(text_ok=True))
    )


def _text_matching(saved: QuerySet, plot: PlotToMatch) -> list[tuple[int, int, str]]:
    columns = ("pk", "owner_id", "name")
    if plot.search_vector is not None:
        return list(_postgres_matching(saved, plot.search_vector).values_list(*columns))
    # Simple matching, as the SQLite search does: every word somewhere in the plot's text.
    rows = saved.values_list(*columns, "match_terms")
    return [
        (pk, owner_id, name)
        for pk, owner_id, name, terms in rows
        if all(term in plot.text for term in terms.split())
    ]


def saved_searches_matching_plot(*, company_id: int, plot_id: int) -> PlotMatched | None:
    """The saved searches asking to be told that ``plot_id`` (new) matches, in one query
    over them all whatever their number, kept to owners still members of the company;
    None if the company has no such plot."""
    plot = plot_for_search_matching(
        company_id=company_id,
        plot_id=plot_id,
        with_vector=connection.vendor == "postgresql",
    )
    if plot is None:
        return None
    rows = _text_matching(_filters_matching(plot), plot)
    members = active_member_user_ids(company_id=company_id, user_ids={row[1] for row in rows})
    return PlotMatched(
        plot_id=plot.plot_id,
        company_id=company_id,
        plot_number=plot.plot_number,
        estate_name=plot.estate_name,
        price=str(plot.price),
        matches=tuple(map(SavedSearchMatch._make, (row for row in rows if row[1] in members))),
    )


@dataclass(frozen=True, slots=True)
class TermCount:
    term: str
    searches: int
    zero_results: int
    results: int  # the plots its searches found, summed

    @property
    def average_results(self) -> Decimal:
        """Plots found per search, to one decimal place (searches counted before results
        were, 2026-11-28, count as finding none)."""
        if not self.searches:
            return Decimal("0.0")
        return (Decimal(self.results) / self.searches).quantize(Decimal("0.1"))


@dataclass(frozen=True, slots=True)
class SearchAnalytics:
    top_terms: list[TermCount]
    zero_result_terms: list[TermCount]
    searches: int
    zero_results: int


def search_analytics(
    *, company_id: int, start: date, end: date, limit: int = 20
) -> SearchAnalytics:
    """What the company's people searched for from ``start`` to ``end`` (days, inclusive):
    the most searched terms and those that most often found nothing (searches with words
    only), and the totals of all searches (filters only too). Counted as of the last
    flush of the buffer (at most a minute old)."""
    days = SearchTermDay.objects.filter(company_id=company_id, day__gte=start, day__lte=end)
    totals = days.aggregate(searches=Sum("searches"), zero_results=Sum("zero_results"))
    terms = (
        days.exclude(term="")
        .values("term")
        .annotate(total=Sum("searches"), zero=Sum("zero_results"), found=Sum("results"))
    )
    top = terms.order_by("-total", "term")[:limit]
    zero = terms.filter(zero__gt=0).order_by("-zero", "term")[:limit]

    def counted(rows: QuerySet) -> list[TermCount]:
        return [TermCount(row["term"], row["total"], row["zero"], row["found"]) for row in rows]

    return SearchAnalytics(
        top_terms=counted(top),
        zero_result_terms=counted(zero),
        searches=totals["searches"] or 0,
        zero_results=totals["zero_results"] or 0,
    )
