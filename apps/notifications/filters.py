import django_filters
from django.db.models import QuerySet

from apps.notifications.models import UserNotification


class UserNotificationFilter(django_filters.FilterSet):
    # A choice, not a BooleanFilter: django-filter's boolean quietly ignores a value it
    # cannot read (?unread=maybe would list everything); this one answers it with a 400.
    unread = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        method="filter_unread",
        help_text="true: only unread notifications; false: only read ones.",
    )

    class Meta:
        model = UserNotification
        fields = ["unread"]

    def filter_unread(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(read_at__isnull=value == "true")
