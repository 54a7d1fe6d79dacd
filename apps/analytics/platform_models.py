"""Platform roll-ups for our staff: each company's subscription per day, and per tier."""

from decimal import Decimal

from django.db import models
from django.db.models import Q

from apps.core.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS

ZERO = Decimal("0.00")


def money() -> models.DecimalField:
    return models.DecimalField(
        max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, default=ZERO
    )


class Movement(models.TextChoices):
    """How a company's MRR moved from the end of the day before to the end of the day."""

    NONE = "", "None"
    NEW = "new", "New"
    EXPANSION = "expansion", "Expansion"
    CONTRACTION = "contraction", "Contraction"
    CHURNED = "churned", "Churned"
    REACTIVATION = "reactivation", "Reactivation"


class PlatformCompanyDay(models.Model):
    """One company at the end of one day (Lagos): its subscription, MRR and movement,
    money owed and received, and usage against its limits."""

    day = models.DateField()
    company = models.ForeignKey("companies.Company", on_delete=models.CASCADE, related_name="+")
    tier = models.CharField(max_length=32)
    status = models.CharField(max_length=32)
    previous_status = models.CharField(max_length=32, blank=True)
    status_changed = models.BooleanField(default=False)
    signup_date = models.DateField()
    started_on_trial = models.BooleanField(default=False)
    first_paid_on = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    # The plan's monthly fee while paying (active or past due), else 0; VAT excluded.
    mrr = money()
    previous_mrr = money()
    movement = models.CharField(max_length=16, choices=Movement.choices, blank=True)
    movement_tier = models.CharField(max_length=32, blank=True)
    cash_collected = money()
    outstanding = money()
    overdue = money()
    api_calls = models.PositiveBigIntegerField(default=0)
    api_calls_month = models.PositiveBigIntegerField(default=0, help_text="Month to date.")
    api_daily_cap = models.PositiveIntegerField(default=0)
    api_monthly_included = models.PositiveIntegerField(default=0)
    plots = models.PositiveIntegerField(default=0)
    plots_included = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day", "company_id"]
        verbose_name = "platform company day"
        constraints = [
            models.UniqueConstraint(fields=["day", "company"], name="one_platform_row_per_day"),
        ]
        indexes = [
            models.Index(fields=["company", "day"], name="platform_company_day"),
            models.Index(
                fields=["day"], condition=Q(status_changed=True), name="platform_status_changes"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company_id} {self.day}: {self.tier}/{self.status} ₦{self.mrr}"


class PlatformTierDay(models.Model):
    """One tier at the end of one day: counts, MRR and its movements, money, usage."""

    day = models.DateField()
    tier = models.CharField(max_length=32)
    companies = models.PositiveIntegerField(default=0)
    trialing = models.PositiveIntegerField(default=0)
    active = models.PositiveIntegerField(default=0)
    past_due = models.PositiveIntegerField(default=0)
    suspended = models.PositiveIntegerField(default=0)
    cancelled = models.PositiveIntegerField(default=0)
    paying = models.PositiveIntegerField(default=0)
    signups = models.PositiveIntegerField(default=0)
    cancellations = models.PositiveIntegerField(default=0)
    suspensions = models.PositiveIntegerField(default=0)
    mrr = money()
    new_mrr = money()
    expansion_mrr = money()
    contraction_mrr = money()
    churned_mrr = money()
    reactivation_mrr = money()
    new_companies = models.PositiveIntegerField(default=0)
    churned_companies = models.PositiveIntegerField(default=0)
    reactivated_companies = models.PositiveIntegerField(default=0)
    cash_collected = money()
    outstanding = money()
    overdue = money()
    api_calls = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["day", "tier"]
        verbose_name = "platform tier day"
        constraints = [
            models.UniqueConstraint(fields=["day", "tier"], name="one_platform_tier_row_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.tier} {self.day}: ₦{self.mrr}"


class PlatformDashboard(PlatformTierDay):
    """The staff dashboard's place in the admin index (no table of its own)."""

    class Meta:
        proxy = True
        verbose_name = "platform dashboard"
        verbose_name_plural = "platform dashboard"
