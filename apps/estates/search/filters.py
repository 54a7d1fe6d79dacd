"""The plot filters search added (state, LGA, location, price per m², created since):
mixed into the plot list's filters, so the list, the search and saved searches accept
and validate the same parameters."""

from datetime import date, datetime, time
from decimal import Decimal

import django_filters
from django.db.models import DecimalField, ExpressionWrapper, F, QuerySet
from django.db.models.functions import NullIf
from django.utils import timezone

from apps.core.filters import DecimalFilter
from apps.estates.search.states import NIGERIAN_STATES

PRICE_PER_SQM = "price_per_sqm"


def with_price_per_sqm(plots: QuerySet) -> QuerySet:
    """The plots with their asking price per m² (None for a plot recorded without a size)."""
    if PRICE_PER_SQM in plots.query.annotations:
        return plots
    per_sqm = ExpressionWrapper(
        F("price") / NullIf(F("size_sqm"), Decimal(0)),
        output_field=DecimalField(max_digits=20, decimal_places=2),
    )
    return plots.alias(**{PRICE_PER_SQM: per_sqm})


# No plot is older; and earlier days (year 1) would overflow when moved to UTC.
EARLIEST_DAY = date(2000, 1, 1)


def start_of_day(day: date) -> datetime:
    """The first moment of ``day`` (EARLIEST_DAY at the earliest) in the project's time
    zone (Lagos)."""
    return timezone.make_aware(datetime.combine(max(day, EARLIEST_DAY), time.min))


class PlotPlaceAndValueFilters(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        field_name="estate__state",
        lookup_expr="iexact",
        choices=[(state, state) for state in NIGERIAN_STATES],
        help_text="The estate's state (one of Nigeria's 36 states or FCT).",
    )
    lga = django_filters.CharFilter(
        field_name="estate__lga",
        lookup_expr="iexact",
        max_length=100,
        help_text="The estate's local government area (any case).",
    )
    location = django_filters.CharFilter(
        field_name="estate__location",
        lookup_expr="icontains",
        max_length=100,
        help_text="Part of the estate's location.",
    )
    min_price_per_sqm = DecimalFilter(
        method="filter_price_per_sqm", max_digits=14, decimal_places=2
    )
    max_price_per_sqm = DecimalFilter(
        method="filter_price_per_sqm", max_digits=14, decimal_places=2
    )
    created_since = django_filters.DateFilter(
        method="filter_created_since",
        help_text="Plots added on or after this day (YYYY-MM-DD, Lagos time).",
    )

    def filter_price_per_sqm(self, queryset: QuerySet, name: str, value: Decimal) -> QuerySet:
        lookup = "gte" if name.startswith("min_") else "lte"
        return with_price_per_sqm(queryset).filter(**{f"{PRICE_PER_SQM}__{lookup}": value})

    def filter_created_since(self, queryset: QuerySet, name: str, value: date) -> QuerySet:
        return queryset.filter(created_at__gte=start_of_day(value))
