from django.contrib import admin

from apps.core.money import format_naira
from apps.payments.models import Payment


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    """Payments are recorded through the invoice's "record payment" action (a service that
    applies them to the invoice), never by adding or editing rows here."""

    list_display = (
        "reference",
        "company",
        "invoice",
        "amount_naira",
        "method",
        "status",
        "paid_at",
    )
    list_filter = ("method", "status")
    search_fields = ("reference", "company__name", "invoice__number")
    date_hierarchy = "paid_at"
    list_select_related = ("company", "invoice")
    readonly_fields = [field.name for field in Payment._meta.fields]

    @admin.display(description="amount", ordering="amount")
    def amount_naira(self, payment: Payment) -> str:
        return format_naira(payment.amount)

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
