"""The platform dashboard's place in the admin: listed under Analytics in the index, for
staff; it opens the dashboard page (/admin/analytics/dashboard/)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path

from apps.analytics.platform.dashboard import dashboard_view
from apps.analytics.platform_models import PlatformDashboard
from apps.core.admin import ReadOnlyAdmin


@admin.register(PlatformDashboard)
class PlatformDashboardAdmin(ReadOnlyAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        return redirect("analytics-dashboard")


def dashboard_urls() -> list[URLPattern]:
    """/admin/analytics/dashboard/: the same page at a plain address (config/urls.py)."""

    def view(request: HttpRequest) -> HttpResponse:
        return dashboard_view(request, admin.site.each_context(request))

    return [
        path("admin/analytics/dashboard/", admin.site.admin_view(view), name="analytics-dashboard")
    ]
