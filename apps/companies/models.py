"""The tenant (Company), its plan catalogue, memberships and API keys."""

from datetime import datetime

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.core.models import TenantOwnedModel, TimeStampedModel
from apps.core.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS
from apps.core.roles import MEMBERSHIP_ROLES


class Tier(models.TextChoices):
    STARTER = "starter", "Starter"
    PROFESSIONAL = "professional", "Professional"
    ENTERPRISE = "enterprise", "Enterprise"


class SubscriptionStatus(models.TextChoices):
    TRIALING = "trialing", "Trialing"
    ACTIVE = "active", "Active"
    PAST_DUE = "past_due", "Past due"
    SUSPENDED = "suspended", "Suspended"
    CANCELLED = "cancelled", "Cancelled"


class Plan(TimeStampedModel):
    """A subscription tier: its monthly fee in NGN and what it includes."""

    code = models.CharField(max_length=32, unique=True, choices=Tier.choices)
    name = models.CharField(max_length=64)
    monthly_fee = models.DecimalField(
        max_digits=MONEY_MAX_DIGITS,
        decimal_places=MONEY_DECIMAL_PLACES,
        validators=[MinValueValidator(0)],
        help_text="Monthly fee in NGN, before VAT.",
    )
    included_plots = models.PositiveIntegerField()
    included_agents = models.PositiveIntegerField()
    daily_api_calls = models.PositiveIntegerField(
        help_text="The hard daily cap the rate limiter enforces."
    )
    included_api_calls = models.PositiveIntegerField(
        default=0,
        help_text="API calls a month included in the fee; calls beyond are billed as overage.",
    )
    hourly_request_limit = models.PositiveIntegerField()
    sort_order = models.PositiveSmallIntegerField(default=0)
    is_public = models.BooleanField(default=True)

    class Meta:
        ordering = ["sort_order", "monthly_fee"]

    def __str__(self) -> str:
        return self.name

    def stripe_price_id(self, environment: str | None = None) -> str | None:
        environment = environment or settings.STRIPE_ENVIRONMENT
        price = self.stripe_prices.filter(environment=environment).first()
        return price.price_id if price else None


class PlanStripePrice(TimeStampedModel):
    """The Stripe price a plan is billed on, per Stripe environment (test, live, ...)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="stripe_prices")
    environment = models.CharField(max_length=32, default="test")
    price_id = models.CharField(max_length=255)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "environment"], name="plan_price_per_env"),
        ]

    def __str__(self) -> str:
        return f"{self.plan.code}@{self.environment}: {self.price_id}"


class Company(TimeStampedModel):
    """A real-estate company: our tenant and our customer."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=64, unique=True)
    billing_email = models.EmailField(max_length=254)
    phone = models.CharField(max_length=32, blank=True)
    address = models.CharField(max_length=500, blank=True)
    stripe_customer_id = models.CharField(max_length=255, blank=True, default="")
    # Set while Stripe charges the company by card: its invoices come from Stripe, and the
    # monthly run for offline payers skips it.
    stripe_subscription_id = models.CharField(max_length=255, blank=True, default="")
    subscription_tier = models.CharField(
        max_length=32, choices=Tier.choices, default=Tier.STARTER, db_index=True
    )
    subscription_status = models.CharField(
        max_length=32,
        choices=SubscriptionStatus.choices,
        default=SubscriptionStatus.TRIALING,
        db_index=True,
    )
    subscription_ends_at = models.DateTimeField(
        null=True, blank=True, help_text="When paid access ends (set when cancelled at period end)."
    )
    trial_ends_at = models.DateTimeField(null=True, blank=True)
    suspension_reason = models.CharField(
        max_length=64, blank=True, help_text="Why the company is suspended, while it is."
    )
    # Card payers: the subscription as Stripe last told us, and when Stripe said it, so an
    # older event never overwrites newer state.
    current_period_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    cancellation_reason = models.CharField(max_length=500, blank=True)
    gateway_state_at = models.DateTimeField(null=True, blank=True)
    max_plots = models.PositiveIntegerField(help_text="Plots included in the plan.")
    max_agents = models.PositiveIntegerField(help_text="Approved marketers allowed.")
    max_api_calls_daily = models.PositiveIntegerField()
    api_hourly_limit_override = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Enterprise only: a negotiated hourly request limit replacing the plan's.",
    )

    class Meta:
        verbose_name_plural = "companies"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["stripe_customer_id"],
                condition=~Q(stripe_customer_id=""),
                name="company_unique_stripe_customer",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_subscription_active(self, at: datetime | None = None) -> bool:
        """Whether the company may use the product now: in trial, paid up, or in dunning."""
        at = at or timezone.now()
        if self.subscription_status == SubscriptionStatus.TRIALING:
            return self.trial_ends_at is not None and self.trial_ends_at > at
        if self.subscription_status in (SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE):
            return self.subscription_ends_at is None or self.subscription_ends_at > at
        return False


class Membership(TenantOwnedModel):
    """A person's place in a company, with their role there."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        max_length=32,
        choices=[(role.value, role.label) for role in MEMBERSHIP_ROLES],
    )
    # A suspended member (a marketer whose affiliation is suspended) keeps the row but
    # reaches nothing of the company until reactivated.
    is_active = models.BooleanField(default=True)
    # The member as the company knows them: the names it recorded (a client) or that the
    # person gave when joining (the founder, a marketer applying). Never read live from
    # the account, so a company never learns names the person did not give it.
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "user"], name="one_membership_per_company"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.company_id} as {self.role}"


class ApiKey(TenantOwnedModel):
    """A company API key. Only a hash is stored; the key itself is shown once, at creation."""

    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.display_prefix})"

    @property
    def display_prefix(self) -> str:
        return f"ea_{self.prefix}_…"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class SubscriptionChange(models.Model):
    """The company's tier and status from ``changed_at`` on: its subscription's history,
    from which billing prorates a period's fees by the days spent on each tier."""

    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="subscription_changes"
    )
    tier = models.CharField(max_length=32, choices=Tier.choices)
    status = models.CharField(max_length=32, choices=SubscriptionStatus.choices)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["company_id", "changed_at", "id"]
        indexes = [models.Index(fields=["company", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.company_id}: {self.tier}/{self.status} from {self.changed_at:%Y-%m-%d}"
