"""Query parameters and answers of the staff reports."""

from datetime import timedelta
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from apps.analytics.platform.periods import Granularity, period_count
from apps.core.serializers import FIRST_DAY, LAST_DAY, DayField, StrictSerializer

EARLIEST, LATEST = FIRST_DAY, LAST_DAY
MAX_PERIODS = 400
MAX_DAYS = 5 * 366
DEFAULT_MONTHS = 12


def _money(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=18, decimal_places=2, **kwargs)


def _rate(help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=12, decimal_places=4, allow_null=True, help_text=help_text
    )


class PlatformReportQuerySerializer(StrictSerializer):
    """from/to (Lagos days, inclusive), granularity, and json or csv (one table)."""

    granularities: tuple[str, ...] = tuple(Granularity)
    tables: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from"] = DayField(
            required=False,
            help_text=f"First day, inclusive; the first of the month {DEFAULT_MONTHS - 1} "
            "months before `to` if absent. From 2000-01-01.",
        )
        self.fields["to"] = DayField(
            required=False, help_text="Last day, inclusive; yesterday if absent. To 2100-12-31."
        )
        if len(self.granularities) > 1:
            self.fields["granularity"] = serializers.ChoiceField(
                choices=self.granularities,
                default=Granularity.MONTH,
                help_text="How the range is cut into periods.",
            )
        self.fields["format"] = serializers.ChoiceField(
            choices=("json", "csv"), default="json", help_text="csv: one table, as CSV."
        )
        self.fields["table"] = serializers.ChoiceField(
            choices=self.tables,
            default=self.tables[0],
            help_text="The table a CSV answer holds.",
        )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        end = attrs.get("to") or timezone.localdate() - timedelta(days=1)
        start = attrs.get("from") or (end.replace(day=1) - timedelta(days=330)).replace(day=1)
        errors: dict[str, list[str]] = {}
        for name, value in (("from", start), ("to", end)):
            if not EARLIEST <= value <= LATEST:
                errors[name] = [f"Must be between {EARLIEST} and {LATEST}."]
        if errors:
            raise serializers.ValidationError(errors)
        if start > end:
            raise serializers.ValidationError({"from": ["Must not be after to."]})
        if (end - start).days >= MAX_DAYS:
            raise serializers.ValidationError(
                {"from": [f"The range may span at most {MAX_DAYS} days."]}
            )
        granularity = attrs.get("granularity", Granularity.MONTH)
        if period_count(start, end, granularity) > MAX_PERIODS:
            raise serializers.ValidationError(
                {"granularity": [f"At most {MAX_PERIODS} periods: choose a longer one."]}
            )
        return {**attrs, "from": start, "to": end, "granularity": granularity}


class PlatformRevenueQuerySerializer(PlatformReportQuerySerializer):
    tables = ("periods", "by_tier")


class PlatformChurnQuerySerializer(PlatformReportQuerySerializer):
    tables = ("periods", "by_tier", "reasons", "events", "trial_conversion")


class PlatformCohortQuerySerializer(PlatformReportQuerySerializer):
    granularities = (Granularity.MONTH,)
    tables = ("cohorts",)


class PlatformUsageQuerySerializer(PlatformReportQuerySerializer):
    tables = ("periods", "heaviest", "limits")
    limit = serializers.IntegerField(
        required=False, default=10, min_value=1, max_value=100, help_text="Heaviest callers shown."
    )


# --- answers ----------------------------------------------------------------------------------


class PlatformRangeFields(serializers.Serializer):
    start = serializers.DateField(help_text="The range's first day (`from`).")
    end = serializers.DateField(help_text="The range's last day (`to`).")
    granularity = serializers.CharField()


class PlatformPeriodFields(serializers.Serializer):
    period = serializers.CharField(help_text="2026-10-05, 2026-W41 or 2026-10.")
    start = serializers.DateField()
    end = serializers.DateField()


class PlatformRevenuePeriodSerializer(PlatformPeriodFields):
    opening_mrr = _money(help_text="MRR at the end of the day before the period.")
    new_mrr = _money()
    expansion_mrr = _money()
    reactivation_mrr = _money()
    contraction_mrr = _money(help_text="A positive amount, lost.")
    churned_mrr = _money(help_text="A positive amount, lost.")
    net_new_mrr = _money()
    mrr = _money(help_text="At the end of the period's last day rolled up.")
    arr = _money(help_text="12 times MRR.")
    paying_companies = serializers.IntegerField()
    cash_collected = _money()
    outstanding = _money()
    overdue = _money()


class PlatformRevenueTierSerializer(PlatformRevenuePeriodSerializer):
    tier = serializers.CharField()


class PlatformRevenueReportSerializer(PlatformRangeFields):
    periods = PlatformRevenuePeriodSerializer(many=True)
    by_tier = PlatformRevenueTierSerializer(many=True)


class PlatformChurnPeriodSerializer(PlatformPeriodFields):
    opening_paying = serializers.IntegerField()
    churned_companies = serializers.IntegerField()
    logo_churn_rate = _rate("churned companies / paying companies at the opening.")
    opening_mrr = _money()
    churned_mrr = _money()
    contraction_mrr = _money()
    gross_revenue_churn_rate = _rate("(churned + contraction MRR) / opening MRR.")
    net_revenue_churn_rate = _rate(
        "(churned + contraction - expansion - reactivation MRR) / opening MRR."
    )
    cancellations = serializers.IntegerField()
    suspensions = serializers.IntegerField()


class PlatformChurnTierSerializer(PlatformChurnPeriodSerializer):
    tier = serializers.CharField()


class PlatformChurnReasonSerializer(serializers.Serializer):
    period = serializers.CharField()
    tier = serializers.CharField()
    status = serializers.CharField(help_text="cancelled or suspended.")
    reason = serializers.CharField(allow_blank=True)
    companies = serializers.IntegerField()


class PlatformChurnEventSerializer(serializers.Serializer):
    day = serializers.DateField()
    company_id = serializers.IntegerField()
    company_name = serializers.CharField(allow_blank=True)
    tier = serializers.CharField()
    status = serializers.CharField()
    previous_status = serializers.CharField(allow_blank=True)
    reason = serializers.CharField(allow_blank=True)
    mrr_lost = _money()


class PlatformTrialConversionSerializer(serializers.Serializer):
    signup_month = serializers.CharField()
    trials = serializers.IntegerField()
    converted = serializers.IntegerField()
    conversion_rate = _rate("converted / trials.")
    as_of = serializers.DateField()


class PlatformChurnReportSerializer(PlatformRangeFields):
    periods = PlatformChurnPeriodSerializer(many=True)
    by_tier = PlatformChurnTierSerializer(many=True)
    reasons = PlatformChurnReasonSerializer(many=True)
    events = PlatformChurnEventSerializer(many=True, help_text="At most 500, newest first.")
    trial_conversion = PlatformTrialConversionSerializer(many=True)


class PlatformCohortRowSerializer(serializers.Serializer):
    cohort = serializers.CharField(help_text="Signup month.")
    months_since_signup = serializers.IntegerField()
    month = serializers.CharField()
    as_of = serializers.DateField()
    companies = serializers.IntegerField()
    paying = serializers.IntegerField()
    retention_rate = _rate("paying / companies.")
    mrr = _money()


class PlatformCohortReportSerializer(PlatformRangeFields):
    cohorts = PlatformCohortRowSerializer(many=True)


class PlatformUsagePeriodSerializer(PlatformPeriodFields):
    tier = serializers.CharField()
    api_calls = serializers.IntegerField()


class PlatformHeavyUserSerializer(serializers.Serializer):
    company_id = serializers.IntegerField()
    company_name = serializers.CharField(allow_blank=True)
    tier = serializers.CharField(help_text="On the last day rolled up.")
    status = serializers.CharField()
    api_calls = serializers.IntegerField()
    peak_day_calls = serializers.IntegerField()
    api_daily_cap = serializers.IntegerField()


class PlatformLimitUsageSerializer(serializers.Serializer):
    company_id = serializers.IntegerField()
    company_name = serializers.CharField(allow_blank=True)
    tier = serializers.CharField()
    status = serializers.CharField()
    limit = serializers.ChoiceField(choices=("api_calls_daily", "api_calls_month", "plots"))
    used = serializers.IntegerField()
    allowed = serializers.IntegerField()
    ratio = _rate("used / allowed.")
    over = serializers.BooleanField()


class PlatformUsageReportSerializer(PlatformRangeFields):
    periods = PlatformUsagePeriodSerializer(many=True)
    heaviest = PlatformHeavyUserSerializer(many=True)
    limits = PlatformLimitUsageSerializer(many=True)
