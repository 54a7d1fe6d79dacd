"""The company's invoices and subscription, for its admins."""

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.billing import serializers
from apps.billing.filters import InvoiceFilter
from apps.billing.models import Invoice, InvoiceStatus
from apps.billing.renderers import PDFRenderer
from apps.billing.selectors import subscription_overview
from apps.billing.services import invoice_pdf_download
from apps.core.permissions import IsCompanyAdmin
from apps.core.renderers import JSONRenderer
from apps.core.serializers import EmptySerializer
from apps.core.tenancy import require_tenant
from apps.core.views import TenantScopedMixin


class InvoiceViewSet(
    TenantScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The company's invoices, newest first (drafts are ours until issued)."""

    queryset = Invoice.objects.exclude(status=InvoiceStatus.DRAFT)
    permission_classes = [IsCompanyAdmin]
    filterset_class = InvoiceFilter
    ordering_fields = ["period_start", "issued_at", "total"]
    ordering = ["-period_start", "-id"]
    # A company that must pay to become active again can always see what it owes.
    allowed_without_subscription = True

    def get_queryset(self) -> Any:
        queryset = super().get_queryset()
        if self.action == "retrieve":
            return queryset.prefetch_related("lines")
        return queryset

    @extend_schema(
        request=None,
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
        description="The invoice as a PDF (A4), to save: GET makes a plain link work.",
    )
    @action(
        detail=True,
        methods=["get", "post"],
        renderer_classes=[PDFRenderer, JSONRenderer],
    )
    def download(self, request: Request, pk: str) -> Response:
        invoice = self.get_object()
        if request.method == "POST":
            EmptySerializer(data=request.data).is_valid(raise_exception=True)
        pdf = invoice_pdf_download(
            company_id=invoice.company_id, invoice_id=invoice.pk, user_id=request.user.pk
        )
        # Always the PDF, even when the client's Accept header or ?format= preferred JSON
        # (a browser's or axios's default Accept lists application/json first).
        return HttpResponse(
            pdf.content,
            content_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{pdf.filename}"'},
        )

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        # An error on the download is answered in the error format, whatever was accepted,
        # including when negotiation itself failed (an unknown ?format= is a 404 before any
        # renderer was chosen, and DRF would fall back to the first one: the PDF's).
        accepted = getattr(request, "accepted_renderer", None)
        if response.status_code >= 400 and (accepted is None or isinstance(accepted, PDFRenderer)):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    def get_serializer_class(self) -> type:
        if self.action == "retrieve":
            return serializers.InvoiceDetailSerializer
        return serializers.InvoiceSerializer


class SubscriptionView(APIView):
    """The company's plan, standing, limits, usage this period, credits, and an estimate
    of the next invoice."""

    permission_classes = [IsCompanyAdmin]
    allowed_without_subscription = True

    @extend_schema(responses=serializers.SubscriptionSerializer)
    def get(self, request: Request) -> Response:
        overview = subscription_overview(company_id=require_tenant(request).company_id)
        return Response(serializers.SubscriptionSerializer(overview).data)
