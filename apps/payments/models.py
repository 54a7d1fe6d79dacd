"""Payments: money received against an invoice, however it came."""

from django.conf import settings
from django.db import models

from apps.core.models import TenantOwnedModel
from apps.core.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS


class PaymentChannel(models.TextChoices):
    """How a payment came in."""

    STRIPE = "stripe", "Card (Stripe)"
    BANK_TRANSFER = "bank_transfer", "Bank transfer"
    CASH = "cash", "Cash"


OFFLINE_CHANNELS = (PaymentChannel.BANK_TRANSFER, PaymentChannel.CASH)


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
    method = models.CharField(max_length=16, choices=PaymentChannel.choices)
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
    # Card payments: the gateway's payment intent (the reference) and its charge.
    gateway_charge_id = models.CharField(max_length=255, blank=True)
    failure_reason = models.CharField(max_length=500, blank=True)

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


class PaymentMethod(TenantOwnedModel):
    """A card the company keeps at the gateway (shown, never stored in full)."""

    gateway_id = models.CharField(max_length=255, unique=True)
    brand = models.CharField(max_length=32)
    last4 = models.CharField(max_length=4)
    exp_month = models.PositiveSmallIntegerField()
    exp_year = models.PositiveSmallIntegerField()
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_default", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.brand} •••• {self.last4}"


class WebhookStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    PROCESSED = "processed", "Processed"
    FAILED = "failed", "Failed"
    IGNORED = "ignored", "Ignored"


class WebhookEvent(models.Model):
    """A verified event from the gateway, stored once by its id before it is processed,
    with the outcome of each attempt, so any event can be replayed."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100, db_index=True)
    api_version = models.CharField(max_length=64, blank=True)
    livemode = models.BooleanField(default=False)
    created = models.DateTimeField(help_text="When the gateway created the event.")
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=16, choices=WebhookStatus.choices, default=WebhookStatus.RECEIVED
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["status", "received_at"])]
        permissions = [("reprocess_webhookevent", "Can process webhook events again")]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id} ({self.status})"


class GatewayTaxRate(models.Model):
    """The VAT rate as the gateway knows it, created once and reused on every invoice."""

    percentage = models.DecimalField(max_digits=6, decimal_places=4, unique=True)
    gateway_id = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.percentage} % ({self.gateway_id})"
