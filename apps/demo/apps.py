from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for laptops and review environments: one command, built on the services."""

    name = "apps.demo"
    label = "demo"
    verbose_name = "Demo data"
