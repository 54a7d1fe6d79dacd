from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "apps.analytics"
    label = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        from django.core.signals import request_finished

        # Connects the receivers; registers the roll-up builders (company and platform) and
        # the staff dashboard in the admin.
        from apps.analytics import receivers  # noqa: F401
        from apps.analytics.events.flush_after_response import flush_if_due
        from apps.analytics.platform import admin, rollup  # noqa: F401
        from apps.analytics.rollups import company  # noqa: F401

        request_finished.connect(flush_if_due, dispatch_uid="analytics-flush-after-response")
