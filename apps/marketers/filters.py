import django_filters

from apps.core.filters import IdFilter
from apps.marketers.models import CommissionStatus, MarketerEarnedCommission


class CommissionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CommissionStatus.choices)
    # By id, not a model choice: a choice filter answers another company's id (valid
    # choice, empty page) differently from an unknown one (400), telling which ids exist.
    affiliation = IdFilter(field_name="affiliation_id")

    class Meta:
        model = MarketerEarnedCommission
        fields = ["status"]
