from collections.abc import Iterable

from rest_framework import serializers

from apps.accounts.selectors import UserDisplay, user_display_for
from apps.companies.models import ApiKey, Company, Membership
from apps.core.phones import PhoneNumberField
from apps.core.roles import MEMBERSHIP_ROLES
from apps.core.serializers import (
    CrossAppDisplayListSerializer,
    CrossAppDisplayMixin,
    StrictModelSerializer,
    StrictSerializer,
)


class PlanSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    monthly_fee = serializers.DecimalField(max_digits=14, decimal_places=2)
    included_plots = serializers.IntegerField()
    included_agents = serializers.IntegerField()
    daily_api_calls = serializers.IntegerField()
    hourly_request_limit = serializers.IntegerField()


class CompanySerializer(serializers.ModelSerializer):
    is_subscription_active = serializers.SerializerMethodField()

    class Meta:
        model = Company
        fields = [
            "id",
            "name",
            "slug",
            "billing_email",
            "phone",
            "address",
            "subscription_tier",
            "subscription_status",
            "trial_ends_at",
            "subscription_ends_at",
            "max_plots",
            "max_agents",
            "max_api_calls_daily",
            "is_subscription_active",
            "created_at",
        ]
        read_only_fields = fields

    def get_is_subscription_active(self, company: Company) -> bool:
        return company.is_subscription_active()


class CompanyUpdateSerializer(StrictModelSerializer):
    phone = PhoneNumberField(required=False)

    class Meta:
        model = Company
        fields = ["name", "billing_email", "phone", "address"]


class SignupSerializer(StrictSerializer):
    company_name = serializers.CharField(max_length=200)
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=256, trim_whitespace=False, write_only=True)
    first_name = serializers.CharField(max_length=150, required=False, default="")
    last_name = serializers.CharField(max_length=150, required=False, default="")
    phone = PhoneNumberField(required=False, default="")
    billing_email = serializers.EmailField(max_length=254, required=False, default="")


class CompanyCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    billing_email = serializers.EmailField(max_length=254, required=False, default="")
    phone = PhoneNumberField(required=False, default="")
    address = serializers.CharField(max_length=500, required=False, default="")


class MembershipSerializer(CrossAppDisplayMixin, serializers.ModelSerializer):
    # The address the person signs in with: for a client, the one the company invited.
    email = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        list_serializer_class = CrossAppDisplayListSerializer
        fields = [
            "id",
            "user_id",
            "email",
            "first_name",
            "last_name",
            "role",
            "is_active",
            "created_at",
        ]
        read_only_fields = fields

    def load_display(self, rows: Iterable[Membership]) -> dict[int, UserDisplay]:
        return user_display_for(user_ids=[membership.user_id for membership in rows])

    def get_email(self, membership: Membership) -> str:
        user = self.display.get(membership.user_id)
        return user.email if user else ""


class MembershipRoleSerializer(StrictSerializer):
    role = serializers.ChoiceField(choices=[role.value for role in MEMBERSHIP_ROLES])


class ApiKeySerializer(CrossAppDisplayMixin, serializers.ModelSerializer):
    created_by_email = serializers.SerializerMethodField(
        help_text="Who made the key; it is revoked when they stop being an admin."
    )

    class Meta:
        model = ApiKey
        list_serializer_class = CrossAppDisplayListSerializer
        fields = [
            "id",
            "name",
            "display_prefix",
            "created_by_id",
            "created_by_email",
            "created_at",
            "last_used_at",
            "revoked_at",
        ]
        read_only_fields = fields

    def load_display(self, rows: Iterable[ApiKey]) -> dict[int, UserDisplay]:
        return user_display_for(user_ids=[key.created_by_id for key in rows if key.created_by_id])

    def get_created_by_email(self, api_key: ApiKey) -> str | None:
        creator = self.display.get(api_key.created_by_id) if api_key.created_by_id else None
        return creator.email if creator else None


class ApiKeyCreateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=100)


class ApiKeyCreatedSerializer(ApiKeySerializer):
    key = serializers.CharField(read_only=True, help_text="Shown once; store it now.")

    class Meta(ApiKeySerializer.Meta):
        fields = [*ApiKeySerializer.Meta.fields, "key"]
        read_only_fields = fields


class PlotsByStatusSerializer(serializers.Serializer):
    available = serializers.IntegerField()
    reserved = serializers.IntegerField()
    sold = serializers.IntegerField()


class SalesByStatusSerializer(serializers.Serializer):
    pending = serializers.IntegerField()
    completed = serializers.IntegerField()
    cancelled = serializers.IntegerField()


class AffiliationsByStatusSerializer(serializers.Serializer):
    pending = serializers.IntegerField(help_text="Applications waiting for a decision.")
    approved = serializers.IntegerField()
    rejected = serializers.IntegerField()
    suspended = serializers.IntegerField()


class CommissionAmountsSerializer(serializers.Serializer):
    pending = serializers.DecimalField(max_digits=16, decimal_places=2)
    approved = serializers.DecimalField(max_digits=16, decimal_places=2)
    paid = serializers.DecimalField(max_digits=16, decimal_places=2)
    cancelled = serializers.DecimalField(max_digits=16, decimal_places=2)


class CompanyStatsSerializer(serializers.Serializer):
    estates = serializers.IntegerField()
    plots = PlotsByStatusSerializer(help_text="Plots by status.")
    clients = serializers.IntegerField()
    sales = SalesByStatusSerializer(help_text="Purchases by status.")
    sales_value = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text="The completed sales' agreed prices, summed."
    )
    marketers = AffiliationsByStatusSerializer(help_text="Affiliations by status.")
    commissions = CommissionAmountsSerializer(help_text="Commission amounts by status.")
