"""The company's payment history."""

from rest_framework import mixins, viewsets

from apps.core.permissions import IsCompanyAdmin
from apps.core.views import TenantScopedMixin
from apps.payments.filters import PaymentFilter
from apps.payments.models import Payment
from apps.payments.serializers import PaymentSerializer


class PaymentViewSet(TenantScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Payments received from the company, newest first. Company admins."""

    queryset = Payment.objects.all()
    serializer_class = PaymentSerializer
    permission_classes = [IsCompanyAdmin]
    filterset_class = PaymentFilter
    ordering_fields = ["paid_at", "amount"]
    ordering = ["-paid_at", "-id"]
    # Paying is how an inactive company becomes active again: it can always see this.
    allowed_without_subscription = True
