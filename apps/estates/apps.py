from django.apps import AppConfig


class EstatesConfig(AppConfig):
    name = "apps.estates"
    label = "estates"
    verbose_name = "Estates"
