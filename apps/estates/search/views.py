"""GET /api/plots/search/: the company's plots matching a typed query and the filters,
best first, with facet counts for the filter sidebar, in one request."""

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django_filters import rest_framework as django_filters
from django_filters.utils import translate_validation
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.listing_cache import etag_matches
from apps.core.pagination import PageNumberPagination
from apps.core.tenancy import Tenant, require_tenant
from apps.core.views import TenantScopedMixin
from apps.estates.models import Plot
from apps.estates.search.backends import search_backend
from apps.estates.search.facets import facets_total, plot_facets
from apps.estates.search.filterset import PlotSearchFilter
from apps.estates.search.results_cache import search_cache_entry
from apps.estates.serializers import PlotSerializer
from apps.search.services import search_record

_COUNT = {"type": "integer", "minimum": 0}
_FACET_VALUE = {
    "type": "object",
    "properties": {"value": {"type": "string"}, "count": _COUNT},
    "required": ["value", "count"],
}
_AMOUNT = {"type": "string", "format": "decimal", "nullable": True}
FACETS_SCHEMA = {
    "type": "object",
    "description": "How many of all the matching plots fall in each value.",
    "properties": {
        "estate": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "count": _COUNT,
                },
                "required": ["id", "name", "count"],
            },
        },
        "state": {"type": "array", "items": _FACET_VALUE},
        "status": {"type": "array", "items": _FACET_VALUE},
        "price_band": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "value": {"type": "string"},
                    "label": {"type": "string"},
                    "min_price": _AMOUNT,
                    "max_price": _AMOUNT,
                    "count": _COUNT,
                },
                "required": ["value", "label", "min_price", "max_price", "count"],
            },
        },
    },
    "required": ["estate", "state", "status", "price_band"],
}


class PlotSearchPagination(PageNumberPagination):
    """A page of results, and the facets of every result (whose counts also give the
    number of results, so no separate count query runs)."""

    facets: dict[str, Any]

    def paginate_queryset(
        self, queryset: QuerySet, request: Request, view: Any = None
    ) -> list | None:
        # Django's paginator with the facets' total: no COUNT(*) (nor a cached one).
        self.django_paginator_class = self._paginator
        return super(PageNumberPagination, self).paginate_queryset(queryset, request, view)

    def _paginator(self, object_list: Any, per_page: int) -> Paginator:
        paginator = Paginator(object_list, per_page)
        paginator.count = facets_total(self.facets)
        return paginator

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        response.data["facets"] = self.facets
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["facets"] = FACETS_SCHEMA
        paginated["required"] = [*paginated.get("required", []), "facets"]
        return paginated


@extend_schema(
    parameters=[
        OpenApiParameter(
            "If-None-Match",
            str,
            OpenApiParameter.HEADER,
            description="The ETag of an earlier answer: 304 while the company's plots and "
            "estates are unchanged.",
        )
    ],
    responses={
        200: PlotSerializer,
        304: OpenApiResponse(description="Not modified: the answer with this ETag stands."),
    },
)
class PlotSearchView(TenantScopedMixin, generics.ListAPIView):
    """Search the company's plots (every member may): words in ``q`` match as prefixes
    (misspelt estate and place names too, on PostgreSQL), ranked best first, narrowed by
    the plot list's filters; ``facets`` counts all the matches by estate, state, status
    and price band."""

    queryset = Plot.objects.select_related("estate")
    serializer_class = PlotSerializer
    filter_backends = [django_filters.DjangoFilterBackend]
    filterset_class = PlotSearchFilter
    pagination_class = PlotSearchPagination

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        tenant = require_tenant(request)
        filters = PlotSearchFilter(request.query_params, self.get_queryset(), request=request)
        if not filters.is_valid():
            raise translate_validation(filters.errors)
        values = dict(filters.form.cleaned_data)
        text = values.pop("q", "") or ""
        values = {name: value for name, value in values.items() if value not in (None, "")}
        entry = search_cache_entry(company_id=tenant.company_id, url=request.build_absolute_uri())
        if entry is None:
            return self._record(tenant, text, values, self._search(filters, text))
        body = entry.get()
        if body is not None and etag_matches(request, entry.etag):
            self._record(tenant, text, values, body)
            response = Response(status=status.HTTP_304_NOT_MODIFIED)
        else:
            if body is None:
                body = self._search(filters, text)
                entry.set(body)
            response = self._record(tenant, text, values, body)
        # Cache-Control stays no-store (apps.core.middleware); a client revalidates.
        response["ETag"] = entry.etag
        return response

    def _search(self, filters: PlotSearchFilter, text: str) -> dict[str, Any]:
        matching = filters.qs
        # Facets are counted over the matching plots before ranking, not per page.
        self.paginator.facets = plot_facets(matching)
        page = self.paginate_queryset(search_backend().ranked(plots=matching, text=text))
        return self.get_paginated_response(self.get_serializer(page, many=True).data).data

    @staticmethod
    def _record(tenant: Tenant, text: str, filters: dict[str, Any], body: dict) -> Response:
        """Count the search (cached or not) and answer it."""
        search_record(
            company_id=tenant.company_id,
            role=tenant.role,
            term=text,
            filters=filters,
            results=body["count"],
        )
        return Response(body)
