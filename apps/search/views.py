"""A person's saved searches in the request's company, and the company's search
analytics for its admins."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.permissions import IsCompanyAdmin, IsSignedInUser, IsTenantMember
from apps.core.tenancy import require_tenant
from apps.core.views import TenantScopedMixin
from apps.search import selectors, serializers, services
from apps.search.models import SavedSearch


class SavedSearchViewSet(
    TenantScopedMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's own saved searches of the company's plots: save one (its query and
    the search's filters), list, rename, ask to be told of new matching plots, delete.
    Another person's saved search answers 404."""

    queryset = SavedSearch.objects.all()
    serializer_class = serializers.SavedSearchSerializer
    permission_classes = [IsSignedInUser, IsTenantMember]
    conflict_actions = ("create", "partial_update")
    ordering_fields = ["name", "created_at"]
    ordering = ["name", "id"]

    def get_queryset(self) -> Any:
        return super().get_queryset().filter(owner_id=self.request.user.pk)

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.saved_search_create(
            company_id=require_tenant(self.request).company_id,
            owner_id=self.request.user.pk,
            **serializer.validated_data,
        )

    @extend_schema(
        request=serializers.SavedSearchUpdateSerializer,
        responses=serializers.SavedSearchSerializer,
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        """Rename the saved search, or turn its notices on or off."""
        saved = self.get_object()
        data = serializers.SavedSearchUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        saved = services.saved_search_update(
            company_id=saved.company_id,
            owner_id=saved.owner_id,
            saved_search_id=saved.pk,
            data=data.validated_data,
        )
        return Response(self.get_serializer(saved).data)

    def perform_destroy(self, instance: SavedSearch) -> None:
        services.saved_search_delete(
            company_id=instance.company_id, owner_id=instance.owner_id, saved_search_id=instance.pk
        )


class SearchAnalyticsView(APIView):
    """What the company's people searched for in a date range: the top terms and the
    terms that found nothing (company admins). Counts lag the searches by at most a
    minute (they are buffered; in the embedded mode, none)."""

    permission_classes = [IsCompanyAdmin]

    @extend_schema(
        parameters=[serializers.SearchAnalyticsQuerySerializer],
        responses=serializers.SearchAnalyticsSerializer,
    )
    def get(self, request: Request) -> Response:
        query = serializers.SearchAnalyticsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        start, end = query.validated_data["start"], query.validated_data["end"]
        services.search_analytics_catch_up()
        report = selectors.search_analytics(
            company_id=require_tenant(request).company_id, start=start, end=end
        )
        body = {
            "start": start,
            "end": end,
            "searches": report.searches,
            "zero_results": report.zero_results,
            "top_terms": report.top_terms,
            "zero_result_terms": report.zero_result_terms,
        }
        return Response(serializers.SearchAnalyticsSerializer(body).data)
