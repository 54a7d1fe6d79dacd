from django.contrib import admin

from apps.estates.models import Client, Estate, Plot, PlotPurchase


@admin.register(Estate)
class EstateAdmin(admin.ModelAdmin):
    list_display = ("name", "company", "state", "lga", "is_active", "created_at")
    list_filter = ("is_active", "state")
    search_fields = ("name", "location", "company__name")
    raw_id_fields = ("company",)
    list_select_related = ("company",)


@admin.register(Plot)
class PlotAdmin(admin.ModelAdmin):
    list_display = ("plot_number", "estate", "company", "size_sqm", "price", "status")
    list_filter = ("status", "estate__state")
    search_fields = ("plot_number", "estate__name", "company__name")
    raw_id_fields = ("company", "estate")
    list_select_related = ("estate", "company")


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
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
