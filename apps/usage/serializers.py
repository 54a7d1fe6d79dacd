from rest_framework import serializers


class UsageSummarySerializer(serializers.Serializer):
    hourly_used = serializers.IntegerField()
    hourly_limit = serializers.IntegerField()
    hourly_resets_at = serializers.DateTimeField()
    daily_used = serializers.IntegerField()
    daily_limit = serializers.IntegerField()
    daily_resets_at = serializers.DateTimeField()
    month_to_date = serializers.IntegerField(help_text="Admitted API calls this month.")
    plots = serializers.IntegerField()
    max_plots = serializers.IntegerField(help_text="Plots included in the plan; more are overage.")
