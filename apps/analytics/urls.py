from django.urls import URLPattern, URLResolver, include, path

app_name = "analytics"

urlpatterns: list[URLPattern | URLResolver] = [
    path("platform/", include("apps.analytics.platform.urls")),
]
