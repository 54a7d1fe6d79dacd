from collections.abc import Iterable

from rest_framework import serializers

from apps.billing.selectors import invoice_numbers_for
from apps.core.serializers import (
    CrossAppDisplayListSerializer,
    CrossAppDisplayMixin,
    StrictSerializer,
)
from apps.payments.models import Payment

TIERS = ["starter", "professional", "enterprise"]


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


class CheckoutSerializer(StrictSerializer):
    tier = serializers.ChoiceField(choices=TIERS)


class CheckoutStartedSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="Send the browser here to pay by card.")


class SubscriptionChangeSerializer(StrictSerializer):
    tier = serializers.ChoiceField(choices=TIERS)


class SubscriptionCancelSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)
    at_period_end = serializers.BooleanField(
        default=True,
        help_text="False cancels now: our staff only; companies cancel at the period's end.",
    )


class CardSubscriptionSerializer(serializers.Serializer):
    subscription_id = serializers.CharField()
    status = serializers.CharField(help_text="As the gateway reports it.")
    cancel_at_period_end = serializers.BooleanField()
    current_period_end = serializers.DateTimeField(allow_null=True)


class PortalSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="The card-payment portal, to update the card.")
