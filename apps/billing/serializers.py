from collections.abc import Iterable

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.billing.models import Invoice, InvoiceLine
from apps.core.serializers import CrossAppDisplayListSerializer, CrossAppDisplayMixin
from apps.payments.selectors import PaymentInfo, payments_for_invoices


class InvoiceLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvoiceLine
        fields = ["kind", "description", "quantity", "unit_price", "amount"]
        read_only_fields = fields


class InvoiceSerializer(serializers.ModelSerializer):
    balance = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "source",
            "status",
            "period_start",
            "period_end",
            "currency",
            "tier",
            "subtotal",
            "overage",
            "credits_applied",
            "tax",
            "total",
            "amount_paid",
            "balance",
            "issued_at",
            "due_date",
            "paid_at",
            "voided_at",
            "void_reason",
        ]
        read_only_fields = fields


class InvoicePaymentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    method = serializers.CharField()
    reference = serializers.CharField()
    status = serializers.CharField()
    paid_at = serializers.DateTimeField()


class InvoiceDetailSerializer(CrossAppDisplayMixin, InvoiceSerializer):
    lines = InvoiceLineSerializer(many=True, read_only=True)
    payments = serializers.SerializerMethodField()

    class Meta(InvoiceSerializer.Meta):
        list_serializer_class = CrossAppDisplayListSerializer
        fields = [*InvoiceSerializer.Meta.fields, "lines", "payments"]
        read_only_fields = fields

    def load_display(self, rows: Iterable[Invoice]) -> dict[int, list[PaymentInfo]]:
        return payments_for_invoices(invoice_ids=[invoice.pk for invoice in rows])

    @extend_schema_field(InvoicePaymentSerializer(many=True))
    def get_payments(self, invoice: Invoice) -> list[dict]:
        return InvoicePaymentSerializer(self.display.get(invoice.pk, []), many=True).data


class EstimateLineSerializer(serializers.Serializer):
    kind = serializers.CharField()
    description = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=2)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)


class EstimateSerializer(serializers.Serializer):
    lines = EstimateLineSerializer(many=True)
    subtotal = serializers.DecimalField(max_digits=14, decimal_places=2)
    vat = serializers.DecimalField(max_digits=14, decimal_places=2)
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    credits_used = serializers.DecimalField(max_digits=14, decimal_places=2)
    credit_left = serializers.DecimalField(max_digits=14, decimal_places=2)


class CardSerializer(serializers.Serializer):
    brand = serializers.CharField()
    last4 = serializers.CharField()
    exp_month = serializers.IntegerField()
    exp_year = serializers.IntegerField()


class SubscriptionSerializer(serializers.Serializer):
    tier = serializers.CharField()
    plan_name = serializers.CharField()
    monthly_fee = serializers.DecimalField(max_digits=14, decimal_places=2)
    status = serializers.CharField()
    trial_ends_at = serializers.DateTimeField(allow_null=True)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    max_plots = serializers.IntegerField()
    max_agents = serializers.IntegerField()
    max_api_calls_daily = serializers.IntegerField()
    included_api_calls = serializers.IntegerField()
    api_calls_this_period = serializers.IntegerField()
    plots = serializers.IntegerField()
    credits_available = serializers.DecimalField(max_digits=14, decimal_places=2)
    estimate = EstimateSerializer(
        help_text="The next invoice if this period ended today on the current plan, with "
        "the usage so far; VAT included."
    )
    pays_by_card = serializers.BooleanField(
        help_text="True while a card subscription (Stripe) pays the invoices; else the "
        "company pays them by bank transfer."
    )
    current_period_end = serializers.DateTimeField(
        allow_null=True, help_text="The end of the card subscription's current period."
    )
    cancel_at_period_end = serializers.BooleanField(
        help_text="The card subscription ends at current_period_end; access continues until then."
    )
    default_card = CardSerializer(
        allow_null=True, help_text="The card the subscription is charged to, if any."
    )
