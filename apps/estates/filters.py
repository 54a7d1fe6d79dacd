import django_filters
from django.db.models import QuerySet

from apps.core.filters import DecimalFilter, IdFilter
from apps.core.read_versions import read_version_for
from apps.core.tenancy import require_tenant
from apps.estates.models import Plot, PlotPurchase, PlotStatus, PurchaseStatus
from apps.estates.read_scopes import CATALOGUE
from apps.estates.search.backends import search_backend
from apps.estates.search.filters import PlotPlaceAndValueFilters


class PlotFilter(PlotPlaceAndValueFilters, django_filters.FilterSet):
    estate = IdFilter(field_name="estate_id")
    status = django_filters.ChoiceFilter(choices=PlotStatus.choices)
    min_price = DecimalFilter(
        field_name="price", lookup_expr="gte", max_digits=14, decimal_places=2
    )
    max_price = DecimalFilter(
        field_name="price", lookup_expr="lte", max_digits=14, decimal_places=2
    )
    min_size = DecimalFilter(
        field_name="size_sqm", lookup_expr="gte", max_digits=10, decimal_places=2
    )
    max_size = DecimalFilter(
        field_name="size_sqm", lookup_expr="lte", max_digits=10, decimal_places=2
    )
    search = django_filters.CharFilter(method="filter_search", max_length=100)

    class Meta:
        model = Plot
        fields = ["estate", "status"]

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        company_id = require_tenant(self.request).company_id
        version = read_version_for(self.request, CATALOGUE, company_id)
        return search_backend().containing(
            company_id=company_id, plots=queryset, text=value, catalogue_version=version
        )


class PurchaseFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=PurchaseStatus.choices)
    plot = IdFilter(field_name="plot_id")
    client = IdFilter(field_name="client_id")
    affiliation = IdFilter(field_name="affiliation_id")
    estate = IdFilter(field_name="plot__estate_id")

    class Meta:
        model = PlotPurchase
        fields = ["status"]
