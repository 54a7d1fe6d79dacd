"""The search endpoint's parameters: the plot list's filters, and ``q`` instead of its
substring ``search``."""

from django.db.models import QuerySet
from django_filters import rest_framework as django_filters

from apps.core.tenancy import require_tenant
from apps.estates.filters import PlotFilter
from apps.estates.search.backends import search_backend


class PlotSearchFilter(PlotFilter):
    search = None  # the plot list's substring filter: here ``q`` searches
    q = django_filters.CharFilter(
        method="filter_q",
        max_length=100,
        help_text=(
            "Words to find in the plot number or the estate's name, location, state, LGA "
            "or description; each word matches as a prefix. Best matches first."
        ),
    )

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        company_id = require_tenant(self.request).company_id
        return search_backend().matching(company_id=company_id, plots=queryset, text=value)
