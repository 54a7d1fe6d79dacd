"""The company's audit trail, for its admins: list, one entry, and a CSV export."""

from typing import Any

from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request

from apps.audit import services
from apps.audit.export import entries_csv
from apps.audit.filters import AuditEntryFilter
from apps.audit.models import AuditEntry
from apps.audit.selectors import chain_position, entries_for_company
from apps.audit.serializers import AuditEntrySerializer
from apps.core.filter_backends import LazyFilterBackend, view_filter_params
from apps.core.pagination import KeysetPagination
from apps.core.permissions import IsCompanyAdmin
from apps.core.renderers import CSVRenderer, ErrorsAsJSONMixin
from apps.core.tenancy import require_tenant


class AuditEntryViewSet(
    ErrorsAsJSONMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """What happened in the company, who did it and from where; newest first."""

    queryset = AuditEntry.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = AuditEntrySerializer
    permission_classes = [IsCompanyAdmin]
    filterset_class = AuditEntryFilter
    # Newest first, always: the trail is read as a history (no ?ordering=).
    filter_backends = [LazyFilterBackend]
    allowed_without_subscription = True
    pagination_class = KeysetPagination
    read_scope = "audit"  # the page-number form's filtered totals are cached under it

    def get_queryset(self) -> Any:
        return entries_for_company(company_id=require_tenant(self.request).company_id)

    def count_version(self, request: Request) -> tuple[str, int | None]:
        """Totals are kept under the chain's position, which every new entry and every
        retention run moves (no write elsewhere has to say so); unfiltered, the position
        is the total."""
        last, anchor = chain_position(company_id=require_tenant(request).company_id)
        unfiltered = not view_filter_params(request, self)
        return f"{last}:{anchor}", (last - anchor if unfiltered else None)

    @extend_schema(
        responses={(200, "text/csv"): OpenApiTypes.BINARY},
        description=(
            "The entries the filters select, as CSV (UTF-8, one row per entry, newest "
            "first), streamed. The export itself is recorded in the trail."
        ),
    )
    @action(detail=False, methods=["get"], renderer_classes=[CSVRenderer])
    def export(self, request: Request) -> StreamingHttpResponse:
        tenant = require_tenant(request)
        queryset = self.filter_queryset(self.get_queryset())
        services.export_record(
            company_id=tenant.company_id,
            filters=dict(request.query_params.items()),
        )
        filename = f"audit-{timezone.localdate():%Y%m%d}.csv"
        return StreamingHttpResponse(
            entries_csv(queryset),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # The export is CSV whatever the client's Accept header or ?format= says (errors
        # excepted: finalize_response answers them in JSON).
        if self.action == "export":
            return CSVRenderer(), CSVRenderer.media_type
        return super().perform_content_negotiation(request, force)
