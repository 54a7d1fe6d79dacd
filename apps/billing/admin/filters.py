"""List filters of the billing admin: by company (an id, picked with the company lookup),
by billing month, by how much of a credit is used, and card invoices whose totals differ
from the calculator's."""

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.utils.safestring import SafeString

from apps.billing.periods import Period
from apps.companies.selectors import company_name

# How many months the period filter offers (older ones stay reachable by URL).
PERIOD_CHOICES = 24


class CompanyFilter(admin.SimpleListFilter):
    """One company's rows. Listing every company as a link would run to thousands, so
    the filter takes an id, typed or picked with the company list's lookup (🔍)."""

    title = "company"
    parameter_name = "company"
    template = "admin/billing/company_filter.html"

    def __init__(self, request: HttpRequest, params: Any, model: Any, model_admin: Any) -> None:
        super().__init__(request, params, model, model_admin)
        self.relation = model._meta.get_field("company").remote_field
        self.admin_site = model_admin.admin_site
        self.other_params: list[tuple[str, str]] = []

    def _company_id(self) -> int | None:
        value = self.value()
        if value is None:
            return None
        if not value.isdigit():
            raise IncorrectLookupParameters(f"company={value!r} is not a company id")
        return int(value)

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        company_id = self._company_id()
        if company_id is None:
            return []
        return [
            (str(company_id), company_name(company_id=company_id) or f"No company {company_id}")
        ]

    def has_output(self) -> bool:
        return True

    def choices(self, changelist: Any) -> Iterator[dict[str, Any]]:
        # The form in the template keeps the other filters and the search as they are.
        self.other_params = [
            (name, value)
            for name, values in changelist.filter_params.items()
            if name != self.parameter_name
            for value in values
        ]
        yield from super().choices(changelist)

    def widget(self) -> SafeString:
        return ForeignKeyRawIdWidget(self.relation, self.admin_site).render(
            self.parameter_name, self.value(), attrs={"id": "id_company", "size": 8}
        )

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        company_id = self._company_id()
        return queryset if company_id is None else queryset.filter(company_id=company_id)


class PeriodFilter(admin.SimpleListFilter):
    """Invoices by the month their period starts in, newest first."""

    title = "period"
    parameter_name = "period"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        months = model_admin.get_queryset(request).dates("period_start", "month", order="DESC")
        return [(f"{month:%Y-%m}", f"{month:%B %Y}") for month in months[:PERIOD_CHOICES]]

    def has_output(self) -> bool:
        # A month asked for by URL applies even when no invoice is listed to offer it.
        return super().has_output() or self.value() is not None

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() is None:
            return queryset
        try:
            month = datetime.strptime(self.value(), "%Y-%m")  # noqa: DTZ007 (a month, no time)
        except ValueError as exc:
            raise IncorrectLookupParameters(f"period={self.value()!r} is not YYYY-MM") from exc
        period = Period.month(month.year, month.month)
        return queryset.filter(period_start__range=(period.start, period.end))


class CreditUseFilter(admin.SimpleListFilter):
    title = "use"
    parameter_name = "use"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("unused", "Unused"), ("partly", "Partly used"), ("used", "Used up")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        match self.value():
            case "unused":
                return queryset.filter(remaining=F("amount"))
            case "partly":
                return queryset.filter(remaining__gt=0, remaining__lt=F("amount"))
            case "used":
                return queryset.filter(remaining=0)
        return queryset


class ReconciliationFilter(admin.SimpleListFilter):
    """Card invoices whose total, as Stripe computed it, differs from the calculator's by
    more than per-line rounding (set when the invoice is mirrored)."""

    title = "reconciliation"
    parameter_name = "reconciliation"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("differs", "Differs from the calculator")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "differs":
            return queryset.filter(reconciliation_difference__isnull=False)
        return queryset
