from django.contrib import admin

from apps.marketers.models import MarketerAffiliation, MarketerEarnedCommission, MarketerProfile


@admin.register(MarketerProfile)
class MarketerProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "phone", "created_at")
    search_fields = ("user__email", "user__first_name", "user__last_name", "phone")
    raw_id_fields = ("user",)


@admin.register(MarketerAffiliation)
class MarketerAffiliationAdmin(admin.ModelAdmin):
    list_display = ("marketer", "company", "status", "commission_rate", "decided_at", "created_at")
    list_filter = ("status",)
    search_fields = ("marketer__user__email", "company__name")
    raw_id_fields = ("marketer", "company", "decided_by")
    list_select_related = ("marketer__user", "company")
    date_hierarchy = "created_at"
    # Decisions go through the services (plan limits, membership, events), not row edits.
    readonly_fields = (
        "company",
        "marketer",
        "status",
        "commission_rate",
        "decided_by",
        "decided_at",
        "reason",
    )

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(MarketerEarnedCommission)
class MarketerEarnedCommissionAdmin(admin.ModelAdmin):
    list_display = ("id", "affiliation", "company", "amount", "rate", "status", "paid_at")
    list_filter = ("status",)
    search_fields = ("payment_reference", "affiliation__marketer__user__email", "company__name")
    raw_id_fields = ("affiliation", "purchase", "company", "approved_by")
    list_select_related = ("affiliation__marketer__user", "company")
    date_hierarchy = "created_at"
    # Money moves through the services (approve, mark paid), never by editing a row.
    readonly_fields = (
        "affiliation",
        "purchase",
        "company",
        "rate",
        "amount",
        "status",
        "approved_at",
        "approved_by",
        "paid_at",
        "payment_reference",
    )

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
