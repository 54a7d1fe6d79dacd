from rest_framework import serializers

from apps.core.serializers import StrictSerializer
from apps.marketers.models import MarketerAffiliation, MarketerEarnedCommission


class MarketerSignupSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=256, trim_whitespace=False, write_only=True)
    first_name = serializers.CharField(max_length=150, required=False, default="")
    last_name = serializers.CharField(max_length=150, required=False, default="")
    phone = serializers.CharField(max_length=32, required=False, default="")


class AffiliationSerializer(serializers.ModelSerializer):
    marketer_user_id = serializers.IntegerField(source="marketer.user_id", read_only=True)
    marketer_email = serializers.EmailField(source="marketer.user.email", read_only=True)
    marketer_name = serializers.CharField(source="marketer.user.get_full_name", read_only=True)
    company_name = serializers.CharField(source="company.name", read_only=True)

    class Meta:
        model = MarketerAffiliation
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


class AffiliationApplySerializer(StrictSerializer):
    company = serializers.SlugField(max_length=64, help_text="The company's slug.")
    phone = serializers.CharField(max_length=32, required=False, default="")


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
