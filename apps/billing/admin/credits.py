"""Credits in the admin: given and corrected through the credit services, never deleted."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

from apps.billing.admin.display import naira
from apps.billing.admin.filters import CompanyFilter, CreditUseFilter
from apps.billing.admin.forms import CreditForm
from apps.billing.models import Credit

# What a credit's page shows beyond the fields staff may change (amount and reason).
CREDIT_FACTS = ("remaining_naira", "created_by", "created_at", "used_on")


@admin.register(Credit)
class CreditAdmin(admin.ModelAdmin):
    form = CreditForm
    list_display = (
        "company",
        "amount_naira",
        "remaining_naira",
        "reason",
        "created_by",
        "created_at",
    )
    list_filter = (CreditUseFilter, CompanyFilter, "created_at")
    search_fields = ("company__name", "reason")
    list_select_related = ("company", "created_by")
    autocomplete_fields = ("company",)
    date_hierarchy = "created_at"

    def get_fields(self, request: HttpRequest, obj: Credit | None = None) -> list[str]:
        if obj is None:
            return ["company", "amount", "reason"]
        return ["company", "amount", "reason", *CREDIT_FACTS]

    def get_readonly_fields(self, request: HttpRequest, obj: Credit | None = None) -> list[str]:
        # A credit stays with the company it was given to.
        return [] if obj is None else ["company", *CREDIT_FACTS]

    def get_form(
        self, request: HttpRequest, obj: Credit | None = None, change: bool = False, **kwargs: Any
    ) -> type[CreditForm]:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.created_by_id = request.user.pk  # a class made for this request
        return form

    def save_model(self, request: HttpRequest, obj: Credit, form: Any, change: bool) -> None:
        """Nothing to save: the form's credit_create or credit_update wrote it."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="amount", ordering="amount")
    def amount_naira(self, credit: Credit) -> str:
        return naira(credit.amount)

    @admin.display(description="remaining", ordering="remaining")
    def remaining_naira(self, credit: Credit) -> str:
        return naira(credit.remaining)

    @admin.display(description="used on")
    def used_on(self, credit: Credit) -> SafeString | str:
        allocations = credit.allocations.select_related("invoice").order_by("pk")
        if not allocations:
            return "Not used yet."
        return format_html_join(
            mark_safe("<br>"),
            '<a href="{}">{}</a>: {}',
            (
                (
                    reverse("admin:billing_invoice_change", args=[allocation.invoice_id]),
                    allocation.invoice,
                    naira(allocation.amount),
                )
                for allocation in allocations
            ),
        )
