"""Saved searches (a person's own, in a company) and the counting of searches."""

import hashlib
import logging
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from apps.companies.selectors import company_names_for
from apps.core.errors import ConflictError
from apps.core.writes import duplicate_is_conflict, model_update
from apps.estates.selectors import (
    PlotSearchCriteria,
    plot_search_criteria_clean,
    plot_search_term_normalize,
)
from apps.search.analytics_buffer import (
    Counts,
    Entry,
    LocalSearchBuffer,
    canonical_filters,
    search_buffer,
)
from apps.search.errors import ErrorCode
from apps.search.models import SavedSearch, SearchTermDay

logger = logging.getLogger(__name__)

# Saved searches one person may keep in one company.
MAX_SAVED_SEARCHES = 50
TERM_MAX_LENGTH = 200
UPSERT_BATCH = 500

# --- saved searches ---------------------------------------------------------------------------


def _criteria_columns(criteria: PlotSearchCriteria) -> dict[str, Any]:
    return {
        "query": criteria.query,
        "filters": criteria.filters,
        "match_terms": " ".join(criteria.terms),
        "match_query": criteria.tsquery,
        "estate_id": criteria.estate_id,
        "status": criteria.status,
        "state": criteria.state,
        "lga": criteria.lga,
        "location": criteria.location,
        "min_price": criteria.min_price,
        "max_price": criteria.max_price,
        "min_size": criteria.min_size,
        "max_size": criteria.max_size,
        "min_price_per_sqm": criteria.min_price_per_sqm,
        "max_price_per_sqm": criteria.max_price_per_sqm,
        "created_since": criteria.created_since,
    }


def _duplicate_name() -> Any:
    return duplicate_is_conflict(
        message="You already have a saved search with this name.",
        code=ErrorCode.DUPLICATE_SAVED_SEARCH,
        field="name",
    )


@transaction.atomic
def saved_search_create(
    *,
    company_id: int,
    owner_id: int,
    name: str,
    query: str = "",
    filters: Mapping[str, Any] | None = None,
    notify: bool = False,
) -> SavedSearch:
    """Save a search of the company's plots for its owner; the query and filters are
    validated as the search endpoint validates them."""
    criteria = plot_search_criteria_clean(query=query, filters=filters or {})
    kept = (
        SavedSearch.objects.select_for_update()
        .filter(company_id=company_id, owner_id=owner_id)
        .values_list("pk", flat=True)
    )
    if len(kept) >= MAX_SAVED_SEARCHES:
        raise ConflictError(
            f"You can keep at most {MAX_SAVED_SEARCHES} saved searches: delete one first.",
            code=ErrorCode.TOO_MANY_SAVED_SEARCHES,
        )
    saved = SavedSearch(
        company_id=company_id,
        owner_id=owner_id,
        name=name,
        notify=notify,
        **_criteria_columns(criteria),
    )
    with _duplicate_name():
        saved.save()
    return saved


@transaction.atomic
def saved_search_update(
    *, company_id: int, owner_id: int, saved_search_id: int, data: Mapping[str, Any]
) -> SavedSearch:
    """Rename a saved search, or turn its notices on or off."""
    saved = SavedSearch.objects.filter(company_id=company_id, owner_id=owner_id).get_for(
        saved_search_id, lock=True
    )
    with _duplicate_name():
        saved, _ = model_update(instance=saved, fields=("name", "notify"), data=data)
    return saved


@transaction.atomic
def saved_search_delete(*, company_id: int, owner_id: int, saved_search_id: int) -> None:
    SavedSearch.objects.filter(company_id=company_id, owner_id=owner_id).get_for(
        saved_search_id
    ).delete()


# --- analytics --------------------------------------------------------------------------------


def search_record(
    *, company_id: int, role: str, term: str, filters: Mapping[str, Any], results: int
) -> None:
    """Count one search (buffered: flushed to SearchTermDay every minute). Never raises:
    a search is answered even if it cannot be counted."""
    entry = Entry(
        company_id=company_id,
        day=timezone.localdate(),
        role=role,
        term=plot_search_term_normalize(text=term)[:TERM_MAX_LENGTH],
        filters=canonical_filters(filters),
    )
    try:
        search_buffer().add(entry, results=results)
    except Exception:
        logger.warning("Could not count a search", exc_info=True)


def _upsert_sql(rows: int) -> str:
    table = SearchTermDay._meta.db_table
    json_value = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    values = ", ".join([f"(%s, %s, %s, %s, %s, {json_value}, %s, %s, %s)"] * rows)
    return (
        f"INSERT INTO {table} "  # noqa: S608 - the table name is ours; values are parameters
        "(company_id, day, role, term, filters_key, filters, searches, zero_results, results) "
        f"VALUES {values} "
        "ON CONFLICT (company_id, day, role, term, filters_key) DO UPDATE SET "
        f"searches = {table}.searches + excluded.searches, "
        f"zero_results = {table}.zero_results + excluded.zero_results, "
        f"results = {table}.results + excluded.results"
    )


def _rows(counts: Counts, companies: Iterable[int]) -> list[list[Any]]:
    known = set(companies)
    return [
        [
            entry.company_id,
            entry.day,
            entry.role,
            entry.term,
            hashlib.sha256(entry.filters.encode()).hexdigest(),
            entry.filters,
            searches,
            zero,
            results,
        ]
        for entry, (searches, zero, results) in counts.items()
        if entry.company_id in known
    ]


# One flush at a time in a process: a flush takes what an unfinished one left (a failed
# flush's counts), so two at once would both write it. Across processes (Redis) only
# beat flushes.
_flush_lock = threading.Lock()


def search_analytics_flush() -> int:
    """Add the buffered search counts to SearchTermDay (one statement per UPSERT_BATCH
    entries); returns how many entries were written. Companies deleted meanwhile are
    dropped."""
    with _flush_lock:
        buffer = search_buffer()
        counts = buffer.take()
        if counts:
            companies = company_names_for(company_ids={entry.company_id for entry in counts})
            rows = _rows(counts, companies)
            with transaction.atomic(), connection.cursor() as cursor:
                for start in range(0, len(rows), UPSERT_BATCH):
                    batch = rows[start : start + UPSERT_BATCH]
                    values = [value for row in batch for value in row]
                    cursor.execute(_upsert_sql(len(batch)), values)
        buffer.done()
        return len(counts)


def search_analytics_catch_up() -> None:
    """Before a report in the embedded mode, write what the buffer holds: there no beat
    flushes it, and the one process holds every search. With Redis, beat's flush (every
    minute) is the only writer. Never raises: the report is answered with what was
    written before."""
    if not isinstance(search_buffer(), LocalSearchBuffer):
        return
    try:
        search_analytics_flush()
    except Exception:
        logger.warning("Could not write the buffered searches before a report", exc_info=True)
