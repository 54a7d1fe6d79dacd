from django.contrib import admin

from apps.usage.models import UsageRecord


@admin.register(UsageRecord)
class UsageRecordAdmin(admin.ModelAdmin):
    list_display = ("company", "day", "api_calls", "updated_at")
    list_filter = ("day",)
    search_fields = ("company__name",)
    date_hierarchy = "day"
    list_select_related = ("company",)
    readonly_fields = ("company", "day", "api_calls")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
