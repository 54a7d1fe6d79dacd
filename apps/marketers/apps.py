from django.apps import AppConfig


class MarketersConfig(AppConfig):
    name = "apps.marketers"
    label = "marketers"
    verbose_name = "Marketers"
