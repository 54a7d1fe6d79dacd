from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.analytics.platform.admin import dashboard_urls
from apps.core import health
from apps.core.views import api_not_found

api_patterns = [
    path("auth/", include("apps.accounts.urls")),
    path("", include("apps.companies.urls")),
    path("", include("apps.estates.urls")),
    path("", include("apps.marketers.urls")),
    path("", include("apps.usage.urls")),
    path("", include("apps.billing.urls")),
    path("", include("apps.payments.urls")),
    path("notifications/", include("apps.notifications.urls")),
    path("audit/", include("apps.audit.urls")),
    path("", include("apps.search.urls")),
    path("analytics/", include("apps.analytics.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    # Last: an unknown /api/ path answers in the error format even with DEBUG on.
    re_path(r"^", api_not_found, name="api-not-found"),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # Before the admin's own URLs, which would answer this path with a 404.
    *dashboard_urls(),
    path("admin/", admin.site.urls),
    path("api/", include(api_patterns)),
]

handler400 = "apps.core.views.bad_request"
handler403 = "apps.core.views.permission_denied"
handler404 = "apps.core.views.page_not_found"
handler500 = "apps.core.views.server_error"
