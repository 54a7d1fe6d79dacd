"""The company's invoices and subscription, for its admins."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.billing import serializers
from apps.billing.filters import InvoiceFilter
from apps.billing.models import Invoice, InvoiceStatus
from apps.billing.selectors import subscription_overview
from apps.core.permissions import IsCompanyAdmin
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
