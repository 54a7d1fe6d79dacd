"""A search kept for later (a saved search): its words and filters, validated exactly as
the search endpoint validates them, in plain values another app can store."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import F, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.utils import timezone

from apps.core.errors import ValidationFailed
from apps.estates.models import Plot
from apps.estates.search.filters import PRICE_PER_SQM, with_price_per_sqm
from apps.estates.search.filterset import PlotSearchFilter
from apps.estates.search.terms import prefix_tsquery, search_terms

# The search's filters a saved search may keep (``q`` is its query; pages are not kept).
FILTER_NAMES = (
    "estate",
    "status",
    "state",
    "lga",
    "location",
    "min_price",
    "max_price",
    "min_size",
    "max_size",
    "min_price_per_sqm",
    "max_price_per_sqm",
    "created_since",
)
QUERY_MAX_LENGTH = 100


@dataclass(frozen=True, slots=True)
class PlotSearchCriteria:
    """A query and filters, validated. ``filters`` holds them as given (cleaned, as
    strings); the other fields are what matching a new plot compares."""

    query: str
    terms: tuple[str, ...]
    tsquery: str  # PostgreSQL's prefix query, '' without words
    filters: dict[str, str]
    estate_id: int | None = None
    status: str = ""
    state: str = ""  # lower-cased, like lga and location
    lga: str = ""
    location: str = ""
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    min_size: Decimal | None = None
    max_size: Decimal | None = None
    min_price_per_sqm: Decimal | None = None
    max_price_per_sqm: Decimal | None = None
    created_since: date | None = None


def _plain(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def criteria_clean(*, query: str, filters: Mapping[str, Any]) -> PlotSearchCriteria:
    """Validate a query and filters as the search endpoint does; ValidationFailed naming
    each bad or unknown filter otherwise."""
    if not isinstance(filters, Mapping):
        raise ValidationFailed(details={"filters": ["Expected an object of filters."]})
    unknown = sorted(set(filters) - set(FILTER_NAMES))
    if unknown:
        raise ValidationFailed(details={"filters": {name: ["Unknown filter."] for name in unknown}})
    data = {name: value for name, value in filters.items() if value not in (None, "")}
    not_text = [name for name, value in data.items() if not isinstance(value, str | int)]
    if not_text:
        raise ValidationFailed(
            details={"filters": {name: ["Expected a string or a number."] for name in not_text}}
        )
    filterset = PlotSearchFilter({**data, "q": query}, Plot.objects.none())
    if not filterset.is_valid():
        raise ValidationFailed(details={"filters": dict(filterset.errors)})
    cleaned = {
        name: value
        for name, value in filterset.form.cleaned_data.items()
        if name in FILTER_NAMES and value not in (None, "")
    }
    text = (filterset.form.cleaned_data.get("q") or "").strip()
    return PlotSearchCriteria(
        query=text,
        terms=tuple(search_terms(text)),
        tsquery=prefix_tsquery(text),
        filters={name: _plain(value) for name, value in cleaned.items()},
        estate_id=cleaned.get("estate"),
        status=cleaned.get("status", ""),
        state=cleaned.get("state", "").lower(),
        lga=cleaned.get("lga", "").lower(),
        location=cleaned.get("location", "").lower(),
        min_price=cleaned.get("min_price"),
        max_price=cleaned.get("max_price"),
        min_size=cleaned.get("min_size"),
        max_size=cleaned.get("max_size"),
        min_price_per_sqm=cleaned.get("min_price_per_sqm"),
        max_price_per_sqm=cleaned.get("max_price_per_sqm"),
        created_since=cleaned.get("created_since"),
    )


@dataclass(frozen=True, slots=True)
class PlotToMatch:
    """A plot as saved searches are matched against it."""

    plot_id: int
    company_id: int
    estate_id: int
    estate_name: str
    plot_number: str
    status: str
    state: str  # lower-cased, like lga, location and text
    lga: str
    location: str
    price: Decimal
    size_sqm: Decimal
    price_per_sqm: Decimal | None
    created_on: date
    text: str  # every searchable field, for simple matching
    search_vector: str | None  # PostgreSQL's stored vector as text; None on SQLite


def plot_to_match(*, company_id: int, plot_id: int, with_vector: bool) -> PlotToMatch | None:
    vector = (
        RawSQL("estates_plot.search_vector::text", [], output_field=TextField())
        if with_vector
        else Value(None, output_field=TextField())
    )
    row = (
        with_price_per_sqm(Plot.objects.filter(company_id=company_id, pk=plot_id))
        .annotate(
            estate_name=F("estate__name"),
            estate_state=Lower("estate__state"),
            estate_lga=Lower("estate__lga"),
            estate_location=Lower("estate__location"),
            estate_description=F("estate__description"),
            per_sqm=F(PRICE_PER_SQM),
            vector=vector,
        )
        .values(
            "pk",
            "estate_id",
            "plot_number",
            "status",
            "price",
            "size_sqm",
            "created_at",
            "estate_name",
            "estate_state",
            "estate_lga",
            "estate_location",
            "estate_description",
            "per_sqm",
            "vector",
        )
        .first()
    )
    if row is None:
        return None
    text = " ".join(
        (
            row["plot_number"],
            row["estate_name"],
            row["estate_location"],
            row["estate_state"],
            row["estate_lga"],
            row["estate_description"],
        )
    ).lower()
    return PlotToMatch(
        plot_id=row["pk"],
        company_id=company_id,
        estate_id=row["estate_id"],
        estate_name=row["estate_name"],
        plot_number=row["plot_number"],
        status=row["status"],
        state=row["estate_state"],
        lga=row["estate_lga"],
        location=row["estate_location"],
        price=row["price"],
        size_sqm=row["size_sqm"],
        price_per_sqm=row["per_sqm"],
        created_on=timezone.localdate(row["created_at"]),
        text=text,
        search_vector=row["vector"],
    )
