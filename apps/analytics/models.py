"""Analytics: raw activity events and the daily roll-ups that reports read.

Events keep plain ids (no foreign keys): they are a log, written in bulk from a buffer,
so a company or user deleted between the request and the flush never fails a flush;
retention removes them. Roll-ups belong to their company (deleted with it) and keep
other apps' ids (estate, affiliation) as plain numbers, named through those apps'
selectors when a report is read.
"""

from django.db import models

# The staff half's tables live in their own module.
from apps.analytics.platform_models import (  # noqa: F401
    Movement,
    PlatformCompanyDay,
    PlatformDashboard,
    PlatformTierDay,
)
from apps.core.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS


class EventKind(models.TextChoices):
    LOGIN = "login", "Login"
    PLOT_VIEW = "plot_view", "Plot view"
    ESTATE_VIEW = "estate_view", "Estate view"
    SEARCH = "search", "Search"
    EXPORT = "export", "Export"


class AnalyticsEvent(models.Model):
    # Made where the event happened: a flush that runs twice inserts it once.
    event_id = models.UUIDField(unique=True)
    company_id = models.BigIntegerField()
    user_id = models.BigIntegerField(null=True, blank=True)
    role = models.CharField(max_length=32, blank=True)
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    object_id = models.BigIntegerField(null=True, blank=True)
    occurred_at = models.DateTimeField()
    metadata = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            # A day's events of every company (the nightly roll-up) and retention.
            models.Index(fields=["occurred_at"], name="analytics_event_time"),
            # Buyers' earlier plot views (viewing-to-buying conversion).
            models.Index(fields=["user_id", "occurred_at"], name="analytics_event_user_time"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} in {self.company_id} at {self.occurred_at:%Y-%m-%d %H:%M}"


def _money(**kwargs: object) -> models.DecimalField:
    return models.DecimalField(
        max_digits=MONEY_MAX_DIGITS + 4, decimal_places=MONEY_DECIMAL_PLACES, default=0, **kwargs
    )


class CompanyDailyActivity(models.Model):
    """One company's day (Lagos): its people's activity, API calls, plots and seats."""

    company = models.ForeignKey("companies.Company", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    new_clients = models.PositiveIntegerField(default=0)
    logins = models.PositiveIntegerField(default=0)
    plot_views = models.PositiveIntegerField(default=0)
    estate_views = models.PositiveIntegerField(default=0)
    searches = models.PositiveIntegerField(default=0)
    exports = models.PositiveIntegerField(default=0)
    # Distinct clients who viewed a plot that day; distinct clients who made a purchase;
    # of those buyers, the ones who had viewed one of the company's plots within
    # ANALYTICS_CONVERSION_LOOKBACK_DAYS up to that day.
    plot_viewers = models.PositiveIntegerField(default=0)
    buyers = models.PositiveIntegerField(default=0)
    buyers_who_viewed = models.PositiveIntegerField(default=0)
    api_calls = models.PositiveBigIntegerField(default=0)
    api_calls_daily_limit = models.PositiveIntegerField(default=0)
    plots = models.PositiveIntegerField(default=0)
    plots_limit = models.PositiveIntegerField(default=0)
    members = models.PositiveIntegerField(default=0)
    marketers = models.PositiveIntegerField(default=0)
    marketers_limit = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["company_id", "day"]
        verbose_name_plural = "company daily activity"
        constraints = [
            models.UniqueConstraint(fields=["company", "day"], name="analytics_one_company_day"),
        ]
        indexes = [models.Index(fields=["day"], name="analytics_company_day")]

    def __str__(self) -> str:
        return f"{self.company_id} {self.day}"


class EstateDailySales(models.Model):
    """One estate's day: sales completed (by completion) and purchases pending (by
    purchase), as their status stood when the day was built."""

    company = models.ForeignKey("companies.Company", on_delete=models.CASCADE, related_name="+")
    estate_id = models.BigIntegerField()
    day = models.DateField()
    completed_count = models.PositiveIntegerField(default=0)
    completed_value = _money()
    completed_sqm = _money()
    pending_count = models.PositiveIntegerField(default=0)
    pending_value = _money()
    pending_sqm = _money()

    class Meta:
        ordering = ["company_id", "day", "estate_id"]
        verbose_name_plural = "estate daily sales"
        constraints = [
            models.UniqueConstraint(
                fields=["company", "day", "estate_id"], name="analytics_one_estate_day"
            ),
        ]
        indexes = [models.Index(fields=["day"], name="analytics_estate_day")]

    def __str__(self) -> str:
        return f"{self.company_id}/{self.estate_id} {self.day}"


class MarketerDailyPerformance(models.Model):
    """One marketer's (affiliation's) day: completed sales and commission movements."""

    company = models.ForeignKey("companies.Company", on_delete=models.CASCADE, related_name="+")
    affiliation_id = models.BigIntegerField()
    day = models.DateField()
    sales_count = models.PositiveIntegerField(default=0)
    sales_value = _money()
    commission_earned = _money()
    commission_approved = _money()
    commission_paid = _money()

    class Meta:
        ordering = ["company_id", "day", "affiliation_id"]
        verbose_name_plural = "marketer daily performance"
        constraints = [
            models.UniqueConstraint(
                fields=["company", "day", "affiliation_id"], name="analytics_one_marketer_day"
            ),
        ]
        indexes = [models.Index(fields=["day"], name="analytics_marketer_day")]

    def __str__(self) -> str:
        return f"{self.company_id}/{self.affiliation_id} {self.day}"
