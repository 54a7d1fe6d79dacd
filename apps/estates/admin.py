from typing import Any

from django.contrib import admin
from django.db.models import QuerySet

from apps.estates.models import Client, Estate, Plot, PlotPurchase
from apps.estates.read_scopes import catalogue_changed


class CatalogueAdmin(admin.ModelAdmin):
    """Edits here bypass the services, so they bump the company's catalogue themselves
    (cached lists and counts are stale from the next read)."""

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        catalogue_changed(obj.company_id)

    def delete_model(self, request: Any, obj: Any) -> None:
        super().delete_model(request, obj)
        catalogue_changed(obj.company_id)

    def delete_queryset(self, request: Any, queryset: QuerySet) -> None:
        company_ids = set(queryset.values_list("company_id", flat=True))
        super().delete_queryset(request, queryset)
        for company_id in company_ids:
            catalogue_changed(company_id)


@admin.register(Estate)
class EstateAdmin(CatalogueAdmin):
    list_display = ("name", "company", "state", "lga", "is_active", "created_at")
    list_filter = ("is_active", "state")
    search_fields = ("name", "location", "company__name")
    raw_id_fields = ("company",)
    list_select_related = ("company",)


@admin.register(Plot)
class PlotAdmin(CatalogueAdmin):
    list_display = ("plot_number", "estate", "company", "size_sqm", "price", "status")
    list_filter = ("status", "estate__state")
    search_fields = ("plot_number", "estate__name", "company__name")
    raw_id_fields = ("company", "estate")
    list_select_related = ("estate", "company")


@admin.register(Client)
class ClientAdmin(CatalogueAdmin):
    list_display = ("user", "company", "phone", "created_at")
    search_fields = ("user__email", "user__first_name", "user__last_name", "phone", "company__name")
    raw_id_fields = ("company", "user")
    list_select_related = ("user", "company")


@admin.register(PlotPurchase)
class PlotPurchaseAdmin(admin.ModelAdmin):
    list_display = ("id", "plot", "client", "company", "agreed_price", "status", "purchased_at")
    list_filter = ("status",)
    search_fields = ("plot__plot_number", "client__user__email", "company__name")
    raw_id_fields = ("company", "plot", "client", "affiliation")
    list_select_related = ("plot", "client__user", "company")
    date_hierarchy = "purchased_at"
    # A sale changes state through the services (lock, commission), not by editing a row.
    readonly_fields = (
        "company",
        "plot",
        "client",
        "affiliation",
        "agreed_price",
        "status",
        "purchased_at",
        "completed_at",
        "cancelled_at",
        "cancel_reason",
    )

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
