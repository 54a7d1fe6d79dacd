import re

import django_filters
from django import forms
from django.db.models import QuerySet

from apps.billing.models import Invoice, InvoiceStatus


class PeriodField(forms.CharField):
    def clean(self, value: str | None) -> str | None:
        value = super().clean(value)
        if value and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
            raise forms.ValidationError("A month as YYYY-MM.")
        return value or None


class PeriodFilter(django_filters.CharFilter):
    field_class = PeriodField


class InvoiceFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=InvoiceStatus.choices)
    period = PeriodFilter(method="filter_period", help_text="The month billed, as YYYY-MM.")
    issued_after = django_filters.DateFilter(field_name="issued_at", lookup_expr="date__gte")
    issued_before = django_filters.DateFilter(field_name="issued_at", lookup_expr="date__lte")

    class Meta:
        model = Invoice
        fields = ["status"]

    def filter_period(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        year, month = (int(part) for part in value.split("-"))
        return queryset.filter(period_start__year=year, period_start__month=month)
