from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "apps.analytics"
    label = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        # Registers the platform roll-up's builder with the nightly task's registry.
        from apps.analytics.platform import rollup  # noqa: F401
