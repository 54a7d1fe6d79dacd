"""Abstract base models: timestamps, and tenant ownership with a company-scoped queryset."""

from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class TenantQuerySet(models.QuerySet):
    def for_company(self, company_id: int) -> "TenantQuerySet":
        return self.filter(company_id=company_id)


class TenantOwnedModel(TimeStampedModel):
    """A row that belongs to exactly one company. Views must query it through ``for_company``."""

    company = models.ForeignKey("companies.Company", on_delete=models.CASCADE, related_name="+")

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True
