"""Metered API usage, per company per day (flushed from the counters)."""

from django.db import models

from apps.core.models import TenantOwnedModel


class UsageRecord(TenantOwnedModel):
    day = models.DateField()
    api_calls = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-day", "company_id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "day"], name="one_usage_record_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.company_id} {self.day}: {self.api_calls}"
