"""Analytics: company reports here, staff reports under platform/."""

from django.urls import URLPattern, URLResolver, include, path

from apps.analytics.reports.views import REPORTS, report_views

app_name = "analytics"

urlpatterns: list[URLPattern | URLResolver] = [
    path("platform/", include("apps.analytics.platform.urls")),
]
for _name, _report in REPORTS.items():
    _json_view, _csv_view = report_views(_report)
    urlpatterns += [
        path(f"{_name}/", _json_view.as_view(), name=f"analytics-{_name}"),
        path(f"{_name}/export/", _csv_view.as_view(), name=f"analytics-{_name}-export"),
    ]
