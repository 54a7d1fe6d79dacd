"""Abstract base models: timestamps, and tenant ownership with a company-scoped queryset."""

from typing import Any

from django.db import models

from apps.core.errors import NotFoundError


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class TenantQuerySet(models.QuerySet):
    def for_company(self, company_id: int) -> "TenantQuerySet":
        return self.filter(company_id=company_id)

    def get_for(self, pk: int, *, lock: bool = False) -> Any:
        """The row with this id in this (already company-scoped) queryset, locked for the
        transaction if asked; NotFoundError otherwise, so another company's id is a 404."""
        queryset = self.select_for_update() if lock else self
        try:
            return queryset.get(pk=pk)
        except self.model.DoesNotExist as exc:
            raise NotFoundError(f"No such {self.model._meta.verbose_name}.") from exc


class TenantOwnedModel(TimeStampedModel):
    """A row that belongs to exactly one company. Views must query it through ``for_company``."""

    company = models.ForeignKey("companies.Company", on_delete=models.CASCADE, related_name="+")

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True
