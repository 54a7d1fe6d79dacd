"""Estates, their plots, the company's clients and the plots they buy."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from apps.core.models import TenantOwnedModel
from apps.core.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS


class Estate(TenantOwnedModel):
    name = models.CharField(max_length=200)
    location = models.CharField(max_length=300, help_text="Street address or area.")
    state = models.CharField(max_length=64, help_text="Nigerian state, e.g. Lagos.")
    lga = models.CharField("LGA", max_length=100, blank=True, help_text="Local government area.")
    description = models.TextField(blank=True, max_length=5000)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="estate_name_per_company"),
        ]

    def __str__(self) -> str:
        return self.name


class PlotStatus(models.TextChoices):
    AVAILABLE = "available", "Available"
    RESERVED = "reserved", "Reserved"
    SOLD = "sold", "Sold"


class Plot(TenantOwnedModel):
    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="plots")
    plot_number = models.CharField(max_length=32)
    size_sqm = models.DecimalField(
        "size (m²)", max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    price = models.DecimalField(
        max_digits=MONEY_MAX_DIGITS,
        decimal_places=MONEY_DECIMAL_PLACES,
        validators=[MinValueValidator(0)],
        help_text="Asking price in NGN.",
    )
    status = models.CharField(
        max_length=16, choices=PlotStatus.choices, default=PlotStatus.AVAILABLE
    )

    class Meta:
        ordering = ["estate_id", "plot_number", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "plot_number"], name="plot_number_per_estate"
            ),
        ]
        indexes = [
            models.Index(fields=["company", "status"]),
            # The plot list's default order, and its keyset pages.
            models.Index(fields=["company", "estate", "plot_number", "id"], name="plot_list_order"),
            # Each other ordering the list offers, either way (the id breaks ties).
            models.Index(fields=["company", "price", "id"], name="plot_price_order"),
            models.Index(fields=["company", "size_sqm", "id"], name="plot_size_order"),
            models.Index(fields=["company", "plot_number", "id"], name="plot_number_order"),
            # Also plots held at a moment (billing's plot overage), counted from the index.
            models.Index(fields=["company", "created_at", "id"], name="plot_created_order"),
        ]

    def __str__(self) -> str:
        return f"Plot {self.plot_number}"


class Client(TenantOwnedModel):
    """A buyer, as the company recorded them.

    Recording a client grants nothing: ``user`` is set only when the person accepts the
    company's invitation, signed in to an account that owns ``email`` (verified).
    """

    email = models.EmailField(max_length=254, help_text="Where the invitation is sent.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="client_profiles",
    )
    # The company's own record of the buyer: never read from (or shown to) another
    # company, and never the names on the person's account.
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    address = models.CharField(max_length=500, blank=True)
    joined_at = models.DateTimeField(
        null=True, blank=True, help_text="When the person accepted the invitation."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                "company", Lower("email"), name="one_client_per_email_per_company"
            ),
            models.UniqueConstraint(
                fields=["company", "user"], name="one_client_profile_per_company"
            ),
        ]
        indexes = [
            # The client list's order (ordering=created_at reads it backwards).
            models.Index(fields=["company", "-created_at", "-id"], name="client_list_order"),
        ]

    def __str__(self) -> str:
        return self.email


class ClientInvitation(TenantOwnedModel):
    """An emailed, one-time, expiring link for the person behind a client record to join
    the company. Only a hash of the token is kept; the token is made when the email is
    sent."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(max_length=254)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Invitation {self.pk} for client {self.client_id}"


class PurchaseStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class PlotPurchase(TenantOwnedModel):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="purchases")
    plot = models.ForeignKey(Plot, on_delete=models.PROTECT, related_name="purchases")
    affiliation = models.ForeignKey(
        "marketers.MarketerAffiliation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The marketer who made the sale, if any.",
    )
    agreed_price = models.DecimalField(
        max_digits=MONEY_MAX_DIGITS,
        decimal_places=MONEY_DECIMAL_PLACES,
        validators=[MinValueValidator(0)],
    )
    status = models.CharField(
        max_length=16,
        choices=PurchaseStatus.choices,
        default=PurchaseStatus.COMPLETED,
        db_index=True,
    )
    purchased_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-purchased_at", "-id"]
        constraints = [
            # A plot has at most one live sale, whatever races the application loses.
            models.UniqueConstraint(
                fields=["plot"],
                condition=Q(status__in=["pending", "completed"]),
                name="one_live_purchase_per_plot",
            ),
        ]
        indexes = [
            # The purchase list's order, and its keyset pages; ordering=agreed_price.
            models.Index(fields=["company", "-purchased_at", "-id"], name="purchase_list_order"),
            models.Index(fields=["company", "agreed_price", "id"], name="purchase_price_order"),
        ]

    def __str__(self) -> str:
        return f"Purchase {self.pk} of plot {self.plot_id} ({self.status})"
