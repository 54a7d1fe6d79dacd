from collections.abc import Iterable
from dataclasses import dataclass

from rest_framework import serializers

from apps.accounts.selectors import UserDisplay, user_display_for
from apps.companies.selectors import company_names_for
from apps.core.phones import PhoneNumberField
from apps.core.serializers import (
    CrossAppDisplayListSerializer,
    CrossAppDisplayMixin,
    StrictSerializer,
)
from apps.marketers.models import MarketerAffiliation, MarketerEarnedCommission


class MarketerSignupSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=256, trim_whitespace=False, write_only=True)
    first_name = serializers.CharField(max_length=150, required=False, default="")
    last_name = serializers.CharField(max_length=150, required=False, default="")
    phone = PhoneNumberField(required=False, default="")


@dataclass(frozen=True, slots=True)
class AffiliationDisplay:
    marketers: dict[int, UserDisplay]
    companies: dict[int, str]


class AffiliationSerializer(CrossAppDisplayMixin, serializers.ModelSerializer):
    marketer_user_id = serializers.IntegerField(source="marketer.user_id", read_only=True)
    marketer_email = serializers.SerializerMethodField()
    marketer_name = serializers.SerializerMethodField()
    company_name = serializers.SerializerMethodField()

    class Meta:
        model = MarketerAffiliation
        list_serializer_class = CrossAppDisplayListSerializer
        fields = [
            "id",
            "company_id",
            "company_name",
            "marketer_user_id",
            "marketer_email",
            "marketer_name",
            "status",
            "commission_rate",
            "decided_at",
            "reason",
            "created_at",
        ]
        read_only_fields = fields

    def load_display(self, rows: Iterable[MarketerAffiliation]) -> AffiliationDisplay:
        rows = list(rows)
        return AffiliationDisplay(
            marketers=user_display_for(user_ids=[row.marketer.user_id for row in rows]),
            companies=company_names_for(company_ids=[row.company_id for row in rows]),
        )

    def _marketer(self, affiliation: MarketerAffiliation) -> UserDisplay | None:
        return self.display.marketers.get(affiliation.marketer.user_id)

    def get_marketer_email(self, affiliation: MarketerAffiliation) -> str:
        marketer = self._marketer(affiliation)
        return marketer.email if marketer else ""

    def get_marketer_name(self, affiliation: MarketerAffiliation) -> str:
        marketer = self._marketer(affiliation)
        return marketer.full_name if marketer else ""

    def get_company_name(self, affiliation: MarketerAffiliation) -> str:
        return self.display.companies.get(affiliation.company_id, "")


class AffiliationApplySerializer(StrictSerializer):
    company = serializers.SlugField(max_length=64, help_text="The company's slug.")
    phone = PhoneNumberField(required=False, default="")


class AffiliationApproveSerializer(StrictSerializer):
    commission_rate = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, help_text="Percent of price."
    )


class AffiliationReasonSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


class CommissionSerializer(serializers.ModelSerializer):
    marketer_user_id = serializers.IntegerField(
        source="affiliation.marketer.user_id", read_only=True
    )

    class Meta:
        model = MarketerEarnedCommission
        fields = [
            "id",
            "affiliation",
            "marketer_user_id",
            "purchase",
            "rate",
            "amount",
            "status",
            "approved_at",
            "paid_at",
            "payment_reference",
            "created_at",
        ]
        read_only_fields = fields


class CommissionPaidSerializer(StrictSerializer):
    payment_reference = serializers.CharField(max_length=128)
