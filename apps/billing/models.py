"""Invoices, their lines, credits and the numbering sequence."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from apps.core.models import TenantOwnedModel, TimeStampedModel
from apps.core.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS

ZERO = Decimal("0.00")


def money(**kwargs: object) -> models.DecimalField:
    return models.DecimalField(
        max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, **kwargs
    )


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ISSUED = "issued", "Issued"
    PAID = "paid", "Paid"
    OVERDUE = "overdue", "Overdue"
    VOID = "void", "Void"


# Statuses in which an invoice is owed and takes payments.
OPEN_STATUSES = (InvoiceStatus.ISSUED, InvoiceStatus.OVERDUE)


class InvoiceSource(models.TextChoices):
    INTERNAL = "internal", "Internal (offline payment)"
    STRIPE = "stripe", "Stripe"


class Invoice(TenantOwnedModel):
    """One company's bill for one period, whatever pays it."""

    number = models.CharField(
        max_length=32, unique=True, null=True, blank=True, help_text="Given when issued."
    )
    source = models.CharField(
        max_length=16, choices=InvoiceSource.choices, default=InvoiceSource.INTERNAL
    )
    external_id = models.CharField(
        max_length=255, unique=True, null=True, blank=True, help_text="Stripe's invoice id."
    )
    period_start = models.DateField()
    period_end = models.DateField()
    currency = models.CharField(max_length=3, default="NGN")
    tier = models.CharField(max_length=32, help_text="The plan at the period's end.")
    subtotal = money(default=ZERO, help_text="Fees and overage less credits, before VAT.")
    overage = money(default=ZERO)
    credits_applied = money(default=ZERO)
    vat_rate = models.DecimalField(
        max_digits=5, decimal_places=4, default=Decimal("0.0750"), help_text="The VAT rate billed."
    )
    tax = money(default=ZERO)
    total = money(default=ZERO)
    amount_paid = money(default=ZERO)
    status = models.CharField(
        max_length=16, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT
    )
    issued_at = models.DateTimeField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=500, blank=True)
    # Card invoices: how far Stripe's total is from the calculator's (None: not checked,
    # or within per-line rounding).
    reconciliation_difference = money(null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "-id"]
        constraints = [
            # A second invoice of ours for one company and period cannot exist. Card
            # invoices are unique by Stripe's id instead: Stripe may issue a subscription's
            # first invoice and its first renewal for periods starting the same day.
            models.UniqueConstraint(
                fields=["company", "period_start", "source"],
                condition=Q(source="internal"),
                name="one_invoice_per_period",
            ),
            models.CheckConstraint(
                condition=Q(total__gte=0) & Q(amount_paid__gte=0) & Q(subtotal__gte=0),
                name="invoice_amounts_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "-period_start", "-id"]),
            models.Index(fields=["status", "due_date"]),
        ]

    def __str__(self) -> str:
        return self.number or f"Draft {self.pk} ({self.period_start:%Y-%m})"

    @property
    def balance(self) -> Decimal:
        return max(self.total - self.amount_paid, ZERO)


class LineKind(models.TextChoices):
    SUBSCRIPTION = "subscription", "Subscription"
    OVERAGE_PLOTS = "overage_plots", "Extra plots"
    OVERAGE_API_CALLS = "overage_api_calls", "Extra API calls"
    CREDIT = "credit", "Credit"
    ADJUSTMENT = "adjustment", "Adjustment"


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=32, choices=LineKind.choices)
    description = models.CharField(max_length=300)
    quantity = models.PositiveIntegerField(default=1)
    unit_price = money()
    amount = money()

    class Meta:
        ordering = ["invoice_id", "position", "id"]

    def __str__(self) -> str:
        return f"{self.description}: {self.amount}"


class Credit(TenantOwnedModel):
    """Money the company may set against its next invoices (an overpayment, a goodwill
    gesture). ``remaining`` goes down as invoices use it and back up if one is voided."""

    amount = money(validators=[MinValueValidator(Decimal("0.01"))])
    remaining = money(validators=[MinValueValidator(ZERO)])
    reason = models.CharField(max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(remaining__gte=0) & Q(remaining__lte=models.F("amount")),
                name="credit_remaining_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"₦{self.remaining} of ₦{self.amount} ({self.reason})"


class CreditAllocation(models.Model):
    """How much of a credit an invoice used."""

    credit = models.ForeignKey(Credit, on_delete=models.PROTECT, related_name="allocations")
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="allocations")
    amount = money()

    def __str__(self) -> str:
        return f"₦{self.amount} of credit {self.credit_id} on invoice {self.invoice_id}"


class InvoiceSequence(TimeStampedModel):
    """The last invoice number given in a year; locked while the next one is taken, in
    the transaction that issues the invoice, so numbers are gap-free."""

    year = models.PositiveSmallIntegerField(unique=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"
