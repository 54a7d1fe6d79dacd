from datetime import timedelta

from django.utils import timezone
from rest_framework import serializers

from apps.core.serializers import DayField, StrictModelSerializer, StrictSerializer
from apps.estates.selectors import PLOT_SEARCH_FILTER_NAMES
from apps.search.models import SavedSearch

DEFAULT_DAYS = 30
MAX_DAYS = 366
_FILTERS_HELP = (
    "The plot search's filters, by name (" + ", ".join(PLOT_SEARCH_FILTER_NAMES) + "), "
    "validated as the search validates them."
)


class SavedSearchSerializer(StrictModelSerializer):
    filters = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text=_FILTERS_HELP,
    )

    class Meta:
        model = SavedSearch
        fields = ["id", "name", "query", "filters", "notify", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {
            "name": {"allow_blank": False},
            "query": {"help_text": "The search's words (q), as typed."},
        }


class SavedSearchUpdateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=100, required=False)
    notify = serializers.BooleanField(required=False)


class SearchAnalyticsQuerySerializer(StrictSerializer):
    start = DayField(
        required=False,
        help_text=f"First day (Lagos), inclusive; {DEFAULT_DAYS} days before end if absent.",
    )
    end = DayField(required=False, help_text="Last day (Lagos), inclusive; today if absent.")

    def validate(self, attrs: dict) -> dict:
        end = attrs.get("end") or timezone.localdate()
        start = attrs.get("start") or end - timedelta(days=DEFAULT_DAYS)
        if start > end:
            raise serializers.ValidationError({"start": ["Must not be after end."]})
        if (end - start).days > MAX_DAYS:
            raise serializers.ValidationError(
                {"start": [f"The range may span at most {MAX_DAYS} days."]}
            )
        return {"start": start, "end": end}


class TermCountSerializer(serializers.Serializer):
    term = serializers.CharField()
    searches = serializers.IntegerField()
    zero_results = serializers.IntegerField()
    average_results = serializers.DecimalField(
        max_digits=12,
        decimal_places=1,
        help_text="Plots found per search of the term, on average (as a string).",
    )


class SearchAnalyticsSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    searches = serializers.IntegerField(help_text="Every search in the range.")
    zero_results = serializers.IntegerField(help_text="Searches that found no plot.")
    top_terms = TermCountSerializer(many=True)
    zero_result_terms = TermCountSerializer(many=True)
