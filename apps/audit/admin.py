"""The trail in the admin: read-only, searchable, filterable."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.audit.models import AuditEntry
from apps.core.admin import ReadOnlyAdmin


class CompanyIdFilter(admin.SimpleListFilter):
    """By company id: a list of every company would not scale, an id in the URL does."""

    title = "company"
    parameter_name = "company"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("platform", "Platform (no company)")]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        value = self.value()
        if value == "platform":
            return queryset.filter(company_id__isnull=True)
        if value and value.isdigit():
            return queryset.filter(company_id=int(value))
        return queryset


class ActorIdFilter(admin.SimpleListFilter):
    """By the acting user's id (``?actor=ID``), or by kind for those without one."""

    title = "actor"
    parameter_name = "actor"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("none", "No user (system, Stripe, API key, anonymous)")]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        value = self.value()
        if value == "none":
            return queryset.filter(actor_id__isnull=True)
        if value and value.isdigit():
            return queryset.filter(actor_id=int(value))
        return queryset


# auditlog's own admin registers the entry model first; ours replaces it.
if admin.site.is_registered(AuditEntry):
    admin.site.unregister(AuditEntry)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = (
        "timestamp",
        "company_id",
        "action",
        "actor_kind",
        "actor_id",
        "actor_email",
        "object_repr",
        "remote_addr",
        "cid",
    )
    list_filter = (CompanyIdFilter, ActorIdFilter, "action", "actor_kind", "timestamp")
    search_fields = ("object_repr", "actor_email", "cid", "object_pk", "=remote_addr")
    date_hierarchy = "timestamp"
    ordering = ("-timestamp", "-id")
    show_full_result_count = False
    list_select_related = ("content_type",)
