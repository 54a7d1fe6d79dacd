"""The search backend seam: which engine finds the plots matching a typed query.

A backend takes the company's plots already narrowed by the filters and returns those
matching the text, then orders them best first, as querysets (so pagination, facets
and serialization stay the same whatever the engine). PostgreSQL's full-text search is
the default; the embedded SQLite mode matches words as substrings.
``settings.SEARCH_BACKEND`` (a dotted path) picks another; docs/search.md says how an
OpenSearch backend would fit.
"""

import hashlib
from typing import Protocol

from django.conf import settings
from django.db import connection
from django.db.models import BooleanField, FloatField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.module_loading import import_string

from apps.core.read_versions import cached_under_versions, kept_in_process
from apps.estates.models import Estate, Plot
from apps.estates.read_scopes import CATALOGUE
from apps.estates.search.terms import prefix_tsquery, search_terms

# Fixed SQL; the user's words are parameters (and only word characters, see terms.py).
# The estates_plot.search_vector column and its triggers: migration 0007.
_MATCHES = "estates_plot.search_vector @@ to_tsquery('simple', %s)"
_RANK = "ts_rank(estates_plot.search_vector, to_tsquery('simple', %s))"
# pg_trgm's word similarity: a misspelt estate or place ("Lekky", "Gwarimpa") still
# finds it, when every word of the query is close to the estate's name or location. Below
# the operator's default threshold (0.6), which misses one wrong letter in eight;
# computed over the company's estates (tens to hundreds), so no trigram index.
NEAR_NAME_SIMILARITY = 0.5
_NEAR_NAME = "greatest(word_similarity(%s, name), word_similarity(%s, location)) >= %s"

DEFAULT_ORDER = ("estate_id", "plot_number", "id")


class PlotSearchBackend(Protocol):
    def containing(
        self, *, company_id: int, plots: QuerySet, text: str, catalogue_version: str | None
    ) -> QuerySet:
        """``plots`` whose number or estate's name contains ``text`` (any case): the plot
        list's ``?search=``. ``catalogue_version``: the company's version of the catalogue
        as the request read it (None: unknown), for answers kept between requests."""
        ...

    def matching(self, *, company_id: int, plots: QuerySet, text: str) -> QuerySet:
        """``plots`` (the company's, filtered) that match ``text``."""
        ...

    def ranked(self, *, plots: QuerySet, text: str) -> QuerySet:
        """``matching``'s plots, best first (a stable order)."""
        ...


class PostgresSearchBackend:
    """Full-text over the stored, weighted vector (GIN index), each word a prefix; plus
    plots of estates whose name or location is close to the query (typos)."""

    def containing(
        self, *, company_id: int, plots: QuerySet, text: str, catalogue_version: str | None
    ) -> QuerySet:
        # The estates first (a company has tens to hundreds), so the plots' condition is
        # on their own columns, not a join that reads every plot. Then the simplest
        # condition that holds: an OR of the number (trigram index, migration 0009) and
        # the estate ids keeps PostgreSQL from reading the matching estates' plots in
        # list order from (company, estate, number), so it is used only when both match.
        estates, numbers_match = self._containing_parts(company_id, text, catalogue_version)
        by_number = Q(plot_number__icontains=text)
        if not estates:
            return plots.filter(by_number)
        if not numbers_match:
            # The bounds change nothing but let the list's (company, estate, number, id)
            # index start at the first of the estates in list order (an IN on its second
            # column is only a filter there, so the walk would start at the company's
            # first plot).
            return plots.filter(
                estate_id__in=estates, estate_id__gte=min(estates), estate_id__lte=max(estates)
            )
        return plots.filter(by_number | Q(estate_id__in=estates))

    def _containing_parts(
        self, company_id: int, text: str, catalogue_version: str | None
    ) -> tuple[list[int], bool]:
        """The company's estates whose name contains ``text`` and whether any of its plot
        numbers does: kept under the catalogue's version (any estate or plot write makes
        it stale), in the cache and in this process (the request has read the version),
        so paging through a search asks only for the page. Over all the
        company's plots, not the filtered ones: the answer only picks which of equivalent
        conditions to use, the filters still apply."""

        def compute() -> tuple[list[int], bool]:
            estates = list(
                Estate.objects.filter(company_id=company_id, name__icontains=text)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            if not estates:
                return estates, True  # the number alone: no need to know
            # A count, not exists(): its LIMIT 1 would lead the planner to walk every
            # plot of the company hoping for an early match instead of using the trigram
            # index.
            numbers = Plot.objects.filter(company_id=company_id, plot_number__icontains=text)
            return estates, bool(numbers.order_by().count())

        name = f"list-search:{hashlib.sha256(text.encode()).hexdigest()[:32]}"
        return kept_in_process(
            name,
            company_id,
            catalogue_version,
            lambda: cached_under_versions(name, company_id, [CATALOGUE], compute),
        )

    def matching(self, *, company_id: int, plots: QuerySet, text: str) -> QuerySet:
        query = prefix_tsquery(text)
        if not query:
            return plots
        matches = Q(full_text=True)
        near = self._estates_near(company_id, search_terms(text))
        if near:
            matches |= Q(estate_id__in=near)
        full_text = RawSQL(_MATCHES, [query], output_field=BooleanField())  # noqa: S611
        return plots.alias(full_text=full_text).filter(matches)

    def ranked(self, *, plots: QuerySet, text: str) -> QuerySet:
        query = prefix_tsquery(text)
        if not query:
            return plots.order_by(*DEFAULT_ORDER)
        rank = RawSQL(_RANK, [query], output_field=FloatField())  # noqa: S611
        return plots.annotate(rank=rank).order_by("-rank", *DEFAULT_ORDER)

    def _estates_near(self, company_id: int, words: list[str]) -> list[int]:
        sql = " AND ".join([_NEAR_NAME] * len(words))
        params = [value for word in words for value in (word, word, NEAR_NAME_SIMILARITY)]
        near = RawSQL(sql, params, output_field=BooleanField())  # noqa: S611
        return list(
            Estate.objects.filter(company_id=company_id)
            .alias(near=near)
            .filter(near=True)
            .values_list("pk", flat=True)
        )


class SimpleSearchBackend:
    """Every word somewhere in the plot number or the estate's name, location, state,
    LGA or description (the embedded SQLite mode: no ranking, no index)."""

    FIELDS = (
        "plot_number",
        "estate__name",
        "estate__location",
        "estate__state",
        "estate__lga",
        "estate__description",
    )

    def containing(
        self, *, company_id: int, plots: QuerySet, text: str, catalogue_version: str | None
    ) -> QuerySet:
        return plots.filter(Q(plot_number__icontains=text) | Q(estate__name__icontains=text))

    def matching(self, *, company_id: int, plots: QuerySet, text: str) -> QuerySet:
        for term in search_terms(text):
            anywhere = Q()
            for field in self.FIELDS:
                anywhere |= Q(**{f"{field}__icontains": term})
            plots = plots.filter(anywhere)
        return plots

    def ranked(self, *, plots: QuerySet, text: str) -> QuerySet:
        return plots.order_by(*DEFAULT_ORDER)


def search_backend() -> PlotSearchBackend:
    """The configured backend, else PostgreSQL's full text on PostgreSQL and simple
    matching elsewhere."""
    if settings.SEARCH_BACKEND:
        return import_string(settings.SEARCH_BACKEND)()
    if connection.vendor == "postgresql":
        return PostgresSearchBackend()
    return SimpleSearchBackend()
