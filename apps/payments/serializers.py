from collections.abc import Iterable

from rest_framework import serializers

from apps.billing.selectors import invoice_numbers_for
from apps.core.serializers import CrossAppDisplayListSerializer, CrossAppDisplayMixin
from apps.payments.models import Payment


class PaymentSerializer(CrossAppDisplayMixin, serializers.ModelSerializer):
    invoice_number = serializers.SerializerMethodField()

    class Meta:
        model = Payment
        list_serializer_class = CrossAppDisplayListSerializer
        fields = [
            "id",
            "invoice",
            "invoice_number",
            "amount",
            "currency",
            "method",
            "reference",
            "status",
            "paid_at",
            "created_at",
        ]
        read_only_fields = fields

    def load_display(self, rows: Iterable[Payment]) -> dict[int, str]:
        return invoice_numbers_for(invoice_ids=[row.invoice_id for row in rows if row.invoice_id])

    def get_invoice_number(self, payment: Payment) -> str | None:
        return self.display.get(payment.invoice_id) if payment.invoice_id else None
