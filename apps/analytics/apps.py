from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "apps.analytics"
    label = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        # The platform roll-up's builder joins the nightly task's registry, and the staff
        # dashboard the admin.
        from apps.analytics.platform import admin, rollup  # noqa: F401
