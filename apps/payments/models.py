"""Payments: money received against an invoice, however it came."""

from django.conf import settings
from django.db import models

from apps.core.models import TenantOwnedModel
from apps.core.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS


class PaymentMethod(models.TextChoices):
    STRIPE = "stripe", "Card (Stripe)"
    BANK_TRANSFER = "bank_transfer", "Bank transfer"
    CASH = "cash", "Cash"


OFFLINE_METHODS = (PaymentMethod.BANK_TRANSFER, PaymentMethod.CASH)


class PaymentStatus(models.TextChoices):
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    REFUNDED = "refunded", "Refunded"


class Payment(TenantOwnedModel):
    invoice = models.ForeignKey(
        "billing.Invoice", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    amount = models.DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES)
    currency = models.CharField(max_length=3, default="NGN")
    method = models.CharField(max_length=16, choices=PaymentMethod.choices)
    # The bank's or Stripe's reference: one payment per method and reference, so the same
    # transfer recorded twice is recognised.
    reference = models.CharField(max_length=128)
    status = models.CharField(
        max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.SUCCEEDED
    )
    paid_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-paid_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["method", "reference"], name="one_payment_per_reference"
            ),
        ]
        indexes = [models.Index(fields=["company", "-paid_at", "-id"])]

    def __str__(self) -> str:
        return f"₦{self.amount} {self.method} {self.reference}"
