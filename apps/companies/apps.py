from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class CompaniesConfig(AppConfig):
    name = "apps.companies"
    label = "companies"
    verbose_name = "Companies"

    def ready(self) -> None:
        # Registers the OpenAPI descriptions of the authentication classes.
        from apps.companies import schema  # noqa: F401
        from apps.companies.models import ApiKey, Company, Membership
        from apps.companies.receivers import api_key_changed, company_changed, membership_changed

        for signal in (post_save, post_delete):
            signal.connect(membership_changed, sender=Membership, dispatch_uid=f"{signal}-m")
            signal.connect(company_changed, sender=Company, dispatch_uid=f"{signal}-c")
            signal.connect(api_key_changed, sender=ApiKey, dispatch_uid=f"{signal}-k")
