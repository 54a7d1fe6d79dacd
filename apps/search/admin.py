from django.contrib import admin

from apps.search.models import SavedSearch, SearchTermDay


@admin.register(SavedSearch)
class SavedSearchAdmin(admin.ModelAdmin):
    list_display = ["name", "company", "owner", "query", "notify", "created_at"]
    list_filter = ["notify"]
    search_fields = ["name", "query"]
    raw_id_fields = ["company", "owner"]
    readonly_fields = [field.name for field in SavedSearch._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(SearchTermDay)
class SearchTermDayAdmin(admin.ModelAdmin):
    list_display = ["day", "company", "role", "term", "searches", "zero_results"]
    list_filter = ["role"]
    search_fields = ["term"]
    raw_id_fields = ["company"]
    readonly_fields = [field.name for field in SearchTermDay._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False
