from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.companies import services
from apps.companies.limits import forget_plan_limits
from apps.companies.models import (
    ApiKey,
    Company,
    Membership,
    Plan,
    PlanStripePrice,
    SubscriptionStatus,
    Tier,
)
from apps.core.errors import ApplicationError
from apps.payments.services import card_subscription_cancel, card_subscription_change


class PlanStripePriceInline(admin.TabularInline):
    model = PlanStripePrice
    extra = 0


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "code",
        "monthly_fee",
        "included_plots",
        "included_agents",
        "daily_api_calls",
        "hourly_request_limit",
        "is_public",
    )
    list_filter = ("is_public",)
    search_fields = ("name", "code")
    inlines = [PlanStripePriceInline]
    # Companies and the rate limiter refer to plans by code: a code never changes and a
    # plan is never deleted (hide it with is_public instead).
    readonly_fields = ("code",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Plan, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        forget_plan_limits()  # this process at once; others within a minute


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "subscription_tier",
        "subscription_status",
        "trial_ends_at",
        "subscription_ends_at",
        "billing_email",
        "created_at",
    )
    list_filter = ("subscription_tier", "subscription_status")
    search_fields = ("name", "slug", "billing_email", "stripe_customer_id")
    # Tier, status and limits move through the actions (services: limits re-applied,
    # events sent), never by editing the fields.
    readonly_fields = (
        "subscription_tier",
        "subscription_status",
        "max_plots",
        "max_agents",
        "max_api_calls_daily",
        "trial_ends_at",
        "subscription_ends_at",
        "stripe_customer_id",
        "created_at",
        "updated_at",
    )
    date_hierarchy = "created_at"
    inlines = [MembershipInline]
    actions = [
        "suspend",
        "reactivate",
        "move_to_starter",
        "move_to_professional",
        "move_to_enterprise",
        "cancel_card_subscription_at_period_end",
        "cancel_card_subscription_now",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # companies sign up themselves

    def _move(self, request: HttpRequest, queryset: QuerySet[Company], tier: str) -> None:
        moved = asked = 0
        for company in queryset:
            if company.stripe_subscription_id:
                # Stripe bills a card subscription: the plan changes there, prorated, and
                # here when Stripe confirms; a change made only here would be undone.
                if self._at_gateway(request, company, card_subscription_change, tier=tier):
                    asked += 1
            else:
                services.company_change_subscription(company_id=company.pk, tier=tier)
                moved += 1
        self.message_user(request, f"Moved {moved} companies to {tier}.", messages.SUCCESS)
        if asked:
            self.message_user(
                request,
                f"Asked Stripe to move {asked} card subscriptions to {tier}; "
                "they change here when Stripe confirms.",
                messages.SUCCESS,
            )

    def _at_gateway(
        self, request: HttpRequest, company: Company, call: Any, **arguments: Any
    ) -> bool:
        try:
            call(company_id=company.pk, **arguments)
        except ApplicationError as error:  # no card subscription, Stripe down, ...
            self.message_user(request, f"{company.name}: {error.message}", messages.ERROR)
            return False
        return True

    def _cancel(
        self, request: HttpRequest, queryset: QuerySet[Company], *, at_period_end: bool
    ) -> None:
        reason = f"Cancelled by our staff ({request.user.get_username()})"
        cancelled = sum(
            self._at_gateway(
                request,
                company,
                card_subscription_cancel,
                reason=reason,
                at_period_end=at_period_end,
            )
            for company in queryset
        )
        when = "at the end of their paid period" if at_period_end else "now"
        self.message_user(
            request, f"Cancelled {cancelled} card subscriptions {when}.", messages.SUCCESS
        )

    @admin.action(description="Cancel the card subscription at the end of its paid period")
    def cancel_card_subscription_at_period_end(
        self, request: HttpRequest, queryset: QuerySet[Company]
    ) -> None:
        self._cancel(request, queryset, at_period_end=True)

    @admin.action(description="Cancel the card subscription now")
    def cancel_card_subscription_now(
        self, request: HttpRequest, queryset: QuerySet[Company]
    ) -> None:
        self._cancel(request, queryset, at_period_end=False)

    @admin.action(description="Move to the Starter plan")
    def move_to_starter(self, request: HttpRequest, queryset: QuerySet[Company]) -> None:
        self._move(request, queryset, Tier.STARTER)

    @admin.action(description="Move to the Professional plan")
    def move_to_professional(self, request: HttpRequest, queryset: QuerySet[Company]) -> None:
        self._move(request, queryset, Tier.PROFESSIONAL)

    @admin.action(description="Move to the Enterprise plan")
    def move_to_enterprise(self, request: HttpRequest, queryset: QuerySet[Company]) -> None:
        self._move(request, queryset, Tier.ENTERPRISE)

    @admin.action(description="Suspend the selected companies")
    def suspend(self, request: HttpRequest, queryset: QuerySet[Company]) -> None:
        for company in queryset:
            services.company_change_subscription(
                company_id=company.pk, status=SubscriptionStatus.SUSPENDED
            )
        self.message_user(request, f"Suspended {queryset.count()} companies.", messages.SUCCESS)

    @admin.action(description="Reactivate the selected companies")
    def reactivate(self, request: HttpRequest, queryset: QuerySet[Company]) -> None:
        for company in queryset:
            services.company_change_subscription(
                company_id=company.pk, status=SubscriptionStatus.ACTIVE
            )
        self.message_user(request, f"Reactivated {queryset.count()} companies.", messages.SUCCESS)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "company", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__email", "company__name")
    raw_id_fields = ("user", "company")


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "company", "display_prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "company__name")
    # The hash is useless to a person and the key is never stored: nothing here to edit.
    readonly_fields = ("company", "name", "prefix", "created_by", "last_used_at", "revoked_at")
    exclude = ("key_hash",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
