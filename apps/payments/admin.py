import json

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from apps.core.money import format_naira
from apps.payments.models import Payment, PaymentMethod, WebhookEvent, WebhookStatus
from apps.payments.webhooks import webhook_process


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


@admin.register(PaymentMethod)
class PaymentMethodAdmin(admin.ModelAdmin):
    list_display = ("company", "brand", "last4", "exp_month", "exp_year", "is_default")
    search_fields = ("company__name", "last4")
    list_select_related = ("company",)
    readonly_fields = [field.name for field in PaymentMethod._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    """Stripe's events as received: read-only, replayable."""

    list_display = ("event_id", "type", "status", "attempts", "created", "received_at")
    list_filter = ("status", "type", "livemode")
    search_fields = ("event_id", "type")
    date_hierarchy = "received_at"
    exclude = ("payload",)
    readonly_fields = [
        *(field.name for field in WebhookEvent._meta.fields if field.name != "payload"),
        "payload_pretty",
    ]
    actions = ["reprocess"]

    @admin.display(description="payload")
    def payload_pretty(self, event: WebhookEvent) -> str:
        return format_html("<pre>{}</pre>", json.dumps(event.payload, indent=2, sort_keys=True))

    @admin.action(description="Process the selected events again", permissions=["reprocess"])
    def reprocess(self, request: HttpRequest, queryset: QuerySet[WebhookEvent]) -> None:
        finished = (WebhookStatus.PROCESSED, WebhookStatus.IGNORED)
        skipped = queryset.filter(status__in=finished).count()
        done = failed = 0
        for event_pk in queryset.exclude(status__in=finished).values_list("pk", flat=True):
            try:
                webhook_process(event_pk=event_pk)
            except Exception as exc:  # shown to the person, recorded on the event
                failed += 1
                self.message_user(request, f"Event {event_pk} failed: {exc}", messages.ERROR)
            else:
                done += 1
        summary = f"{done} events processed, {failed} failed."
        if skipped:
            summary += f" {skipped} already done were left as they are."
        self.message_user(request, summary)

    def has_reprocess_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("payments.reprocess_webhookevent")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
