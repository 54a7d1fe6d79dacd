import django_filters
from django import forms
from django.db.models import QuerySet

from apps.audit.models import AuditAction, AuditEntry
from apps.core.filters import DateTimeFilter, IdFilter

ACTION_CHOICES = [(label, label) for _, label in AuditAction.choices]


class ModelLabelField(forms.CharField):
    def clean(self, value: str | None) -> str | None:
        value = super().clean(value)
        if not value:
            return None
        app_label, dot, model = value.partition(".")
        if not dot or not app_label.isidentifier() or not model.isidentifier():
            raise forms.ValidationError("A model as app_label.model, e.g. estates.plot.")
        return value.lower()


class AuditEntryFilter(django_filters.FilterSet):
    actor = IdFilter(field_name="actor_id", help_text="The acting user's id.")
    action = django_filters.ChoiceFilter(
        choices=ACTION_CHOICES, method="filter_action", help_text="What happened."
    )
    model = django_filters.CharFilter(
        method="filter_model",
        max_length=100,
        help_text="The kind of object, as app_label.model (e.g. estates.plot).",
    )
    model.field_class = ModelLabelField
    object_id = django_filters.CharFilter(
        field_name="object_pk", max_length=255, help_text="The object's id (with model)."
    )
    since = DateTimeFilter(
        field_name="timestamp", lookup_expr="gte", help_text="From this moment (ISO 8601)."
    )
    until = DateTimeFilter(
        field_name="timestamp", lookup_expr="lt", help_text="Before this moment (ISO 8601)."
    )

    class Meta:
        model = AuditEntry
        fields: list[str] = []

    def filter_action(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(action=AuditAction.by_name()[value])

    def filter_model(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        app_label, _, model = value.partition(".")
        return queryset.filter(content_type__app_label=app_label, content_type__model=model)
