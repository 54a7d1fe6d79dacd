from django.apps import AppConfig


class CompaniesConfig(AppConfig):
    name = "apps.companies"
    label = "companies"
    verbose_name = "Companies"

    def ready(self) -> None:
        # Registers the OpenAPI descriptions of the authentication classes.
        from apps.companies import schema  # noqa: F401
