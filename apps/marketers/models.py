"""Marketers, their affiliations to companies, and the commissions they earn."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from apps.core.models import TenantOwnedModel, TimeStampedModel
from apps.core.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS


class MarketerProfile(TimeStampedModel):
    """A person who sells plots for one or more companies."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="marketer_profile"
    )
    phone = models.CharField(max_length=32, blank=True)
    bio = models.TextField(blank=True, max_length=2000)

    def __str__(self) -> str:
        return str(self.user)


class AffiliationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    SUSPENDED = "suspended", "Suspended"


class MarketerAffiliation(TenantOwnedModel):
    """A marketer's standing with one company, and the commission rate it pays them."""

    marketer = models.ForeignKey(
        MarketerProfile, on_delete=models.CASCADE, related_name="affiliations"
    )
    status = models.CharField(
        max_length=16,
        choices=AffiliationStatus.choices,
        default=AffiliationStatus.PENDING,
        db_index=True,
    )
    commission_rate = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Percent of the agreed price; set when the affiliation is approved.",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "marketer"], name="one_affiliation_per_company"
            ),
        ]
        indexes = [
            # The affiliation list's order.
            models.Index(fields=["company", "-created_at", "-id"], name="affiliation_list_order"),
        ]

    def __str__(self) -> str:
        return f"{self.marketer} @ {self.company_id} ({self.status})"


class CommissionStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    PAID = "paid", "Paid"
    # The sale was cancelled before the commission was paid.
    CANCELLED = "cancelled", "Cancelled"


class MarketerEarnedCommission(TenantOwnedModel):
    """What a marketer earned on one completed sale: rate x agreed price, to the kobo."""

    affiliation = models.ForeignKey(
        MarketerAffiliation, on_delete=models.PROTECT, related_name="commissions"
    )
    # One commission per sale, enforced by the database.
    purchase = models.OneToOneField(
        "estates.PlotPurchase", on_delete=models.PROTECT, related_name="commission"
    )
    rate = models.DecimalField(max_digits=5, decimal_places=2)
    amount = models.DecimalField(
        max_digits=MONEY_MAX_DIGITS,
        decimal_places=MONEY_DECIMAL_PLACES,
        validators=[MinValueValidator(0)],
    )
    status = models.CharField(
        max_length=16,
        choices=CommissionStatus.choices,
        default=CommissionStatus.PENDING,
        db_index=True,
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    payment_reference = models.CharField(max_length=128, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "earned commission"
        indexes = [
            # The commission list's order, and its keyset pages; ordering=amount.
            models.Index(fields=["company", "-created_at", "-id"], name="commission_list_order"),
            models.Index(fields=["company", "amount", "id"], name="commission_amount_order"),
        ]

    def __str__(self) -> str:
        return f"₦{self.amount} to {self.affiliation_id} ({self.status})"
