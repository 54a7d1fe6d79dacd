from rest_framework import serializers


class LimitUsageSerializer(serializers.Serializer):
    used = serializers.IntegerField()
    limit = serializers.IntegerField()
    resets_at = serializers.DateTimeField()


class UsageSummarySerializer(serializers.Serializer):
    caller_hourly = LimitUsageSerializer(
        help_text="This caller's (your user's, or this API key's) requests this hour."
    )
    caller_daily = LimitUsageSerializer(
        help_text="This caller's requests today, against its share of the company's daily cap."
    )
    members_daily = LimitUsageSerializer(
        help_text=(
            "The requests of the company's marketers and clients today, all together, against "
            "the share of the daily cap they may use. The rest is kept for admins and API "
            "keys, which are not counted here."
        )
    )
    company_daily = LimitUsageSerializer(
        help_text="The company's requests today, every user and API key together."
    )
    month_to_date = serializers.IntegerField(help_text="Admitted API calls this month.")
    plots = serializers.IntegerField()
    max_plots = serializers.IntegerField(help_text="Plots included in the plan; more are overage.")
