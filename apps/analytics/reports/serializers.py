"""The company reports' query (from, to, granularity) and answers. ``from`` is a Python
keyword, so the classes holding it are built with ``type``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from rest_framework import serializers

from apps.analytics.reports.periods import Granularity, ReportRange
from apps.core.serializers import FIRST_DAY, DayField, StrictSerializer

DEFAULT_DAYS = 30
EARLIEST = FIRST_DAY


def _money(help_text: str = "", **kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=20, decimal_places=2, help_text=help_text, **kwargs)


def _validate_range(self: Any, attrs: dict[str, Any]) -> dict[str, Any]:
    today = timezone.localdate()
    end = attrs.get("to") or today - timedelta(days=1)
    start = attrs.get("from") or end - timedelta(days=DEFAULT_DAYS - 1)
    granularity = attrs.get("granularity") or Granularity.DAY
    if start < EARLIEST:
        raise serializers.ValidationError({"from": [f"Must be {EARLIEST} or later."]})
    if end > today:
        raise serializers.ValidationError({"to": ["Must not be after today."]})
    if start > end:
        raise serializers.ValidationError({"from": ["Must not be after to."]})
    days = (end - start).days + 1
    if days > settings.ANALYTICS_REPORT_MAX_DAYS:
        raise serializers.ValidationError(
            {"to": [f"A report spans at most {settings.ANALYTICS_REPORT_MAX_DAYS} days."]}
        )
    if granularity == Granularity.DAY and days > settings.ANALYTICS_REPORT_MAX_DAYS_BY_DAY:
        raise serializers.ValidationError(
            {
                "granularity": [
                    f"By day, a report spans at most {settings.ANALYTICS_REPORT_MAX_DAYS_BY_DAY}"
                    " days: ask by week or month."
                ]
            }
        )
    return {"range": ReportRange(start=start, end=end, granularity=granularity)}


ReportQuerySerializer = type(
    "ReportQuerySerializer",
    (StrictSerializer,),
    {
        "__doc__": "A report's range and granularity.",
        "from": DayField(
            required=False,
            help_text=f"First day (Lagos), inclusive; {DEFAULT_DAYS} days up to `to` if absent.",
        ),
        "to": DayField(
            required=False, help_text="Last day (Lagos), inclusive; yesterday if absent."
        ),
        "granularity": serializers.ChoiceField(
            choices=Granularity.choices,
            required=False,
            help_text="How periods are cut: day (the default), ISO week or calendar month.",
        ),
        "validate": _validate_range,
    },
)


def report_range(query_params: Any) -> ReportRange:
    query = ReportQuerySerializer(data=query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data["range"]


def _period(name: str, figures: dict[str, serializers.Field]) -> type[serializers.Serializer]:
    return type(
        name,
        (serializers.Serializer,),
        {
            "start": serializers.DateField(help_text="The period's first day in the range."),
            "end": serializers.DateField(help_text="The period's last day in the range."),
            **figures,
        },
    )


def _report(name: str, fields: dict[str, serializers.Field]) -> type[serializers.Serializer]:
    return type(
        name,
        (serializers.Serializer,),
        {
            "from": serializers.DateField(),
            "to": serializers.DateField(),
            "granularity": serializers.ChoiceField(choices=Granularity.choices),
            **fields,
        },
    )


# --- sales ---------------------------------------------------------------------------------


def _sales_figures() -> dict[str, serializers.Field]:
    return {
        "completed_count": serializers.IntegerField(help_text="Sales completed in the period."),
        "completed_value": _money("Their agreed prices, in naira."),
        "completed_sqm": _money("Their plots' area, in square metres."),
        "pending_count": serializers.IntegerField(
            help_text="Purchases made in the period and still pending."
        ),
        "pending_value": _money("Their agreed prices, in naira."),
        "pending_sqm": _money("Their plots' area, in square metres."),
        "average_price_per_sqm": _money(
            "Completed value / completed area (naira per m²); null with no completed area.",
            allow_null=True,
        ),
    }


SalesPeriodSerializer = _period("SalesPeriodSerializer", _sales_figures())
EstateSalesSerializer = type(
    "EstateSalesSerializer",
    (serializers.Serializer,),
    {
        "estate_id": serializers.IntegerField(),
        "estate_name": serializers.CharField(),
        **_sales_figures(),
        "periods": SalesPeriodSerializer(many=True),
    },
)
SalesTotalsSerializer = type("SalesTotalsSerializer", (serializers.Serializer,), _sales_figures())
SalesReportSerializer = _report(
    "SalesReportSerializer",
    {
        "totals": SalesTotalsSerializer(),
        "periods": SalesPeriodSerializer(many=True),
        "estates": EstateSalesSerializer(
            many=True, help_text="Estates with any sale or purchase in the range, by value."
        ),
    },
)


# --- marketers -----------------------------------------------------------------------------


def _marketer_figures() -> dict[str, serializers.Field]:
    return {
        "sales_count": serializers.IntegerField(help_text="Sales completed through them."),
        "sales_value": _money("Their agreed prices, in naira."),
        "commission_earned": _money("Commissions recorded (not cancelled since)."),
        "commission_approved": _money("Commissions approved."),
        "commission_paid": _money("Commissions paid."),
    }


MarketerPeriodSerializer = _period("MarketerPeriodSerializer", _marketer_figures())
MarketerRankSerializer = type(
    "MarketerRankSerializer",
    (serializers.Serializer,),
    {
        "rank": serializers.IntegerField(help_text="1: the highest sales value in the range."),
        "affiliation_id": serializers.IntegerField(),
        "marketer_name": serializers.CharField(),
        **_marketer_figures(),
        "periods": MarketerPeriodSerializer(many=True, help_text="Periods with any activity."),
    },
)
MarketerTotalsSerializer = type(
    "MarketerTotalsSerializer", (serializers.Serializer,), _marketer_figures()
)
MarketersReportSerializer = _report(
    "MarketersReportSerializer",
    {
        "totals": MarketerTotalsSerializer(),
        "periods": MarketerPeriodSerializer(many=True),
        "marketers": MarketerRankSerializer(many=True),
    },
)


# --- clients -------------------------------------------------------------------------------


def _client_figures() -> dict[str, serializers.Field]:
    count = serializers.IntegerField
    return {
        "new_clients": count(help_text="Clients recorded."),
        "logins": count(help_text="Sign-ins of the company's people."),
        "plot_views": count(help_text="Plot pages opened."),
        "estate_views": count(help_text="Estate pages opened."),
        "searches": count(help_text="Plot searches."),
        "exports": count(help_text="Exports and downloads (CSV, invoice PDFs)."),
        "plot_viewers": count(help_text="Clients who viewed a plot, once per day."),
        "buyers": count(help_text="Clients who made a purchase, once per day."),
        "buyers_who_viewed": count(
            help_text="Of those buyers, the ones who had viewed a plot in the lookback window."
        ),
        "conversion_rate": serializers.DecimalField(
            max_digits=12,
            decimal_places=4,
            allow_null=True,
            help_text="buyers_who_viewed / plot_viewers (a ratio of daily counts); null with"
            " no viewers.",
        ),
    }


ClientsPeriodSerializer = _period("ClientsPeriodSerializer", _client_figures())
ClientsTotalsSerializer = type(
    "ClientsTotalsSerializer", (serializers.Serializer,), _client_figures()
)
ClientsReportSerializer = _report(
    "ClientsReportSerializer",
    {"totals": ClientsTotalsSerializer(), "periods": ClientsPeriodSerializer(many=True)},
)


# --- usage ---------------------------------------------------------------------------------


def _usage_figures() -> dict[str, serializers.Field]:
    held = "The period's last built day; null with no day built."
    return {
        "api_calls": serializers.IntegerField(help_text="API calls admitted."),
        "api_calls_peak_day": serializers.IntegerField(help_text="The busiest day's calls."),
        "days_over_limit": serializers.IntegerField(
            help_text="Days whose calls exceeded that day's daily limit."
        ),
        "api_calls_daily_limit": serializers.IntegerField(allow_null=True, help_text=held),
        "plots": serializers.IntegerField(allow_null=True, help_text="Plots held. " + held),
        "plots_limit": serializers.IntegerField(
            allow_null=True, help_text="Plots the plan includes. " + held
        ),
        "members": serializers.IntegerField(
            allow_null=True, help_text="Active members, any role. " + held
        ),
        "marketers": serializers.IntegerField(
            allow_null=True, help_text="Active marketers. " + held
        ),
        "marketers_limit": serializers.IntegerField(
            allow_null=True, help_text="Marketers the plan allows. " + held
        ),
    }


UsagePeriodSerializer = _period("UsagePeriodSerializer", _usage_figures())
UsageTotalsSerializer = type("UsageTotalsSerializer", (serializers.Serializer,), _usage_figures())
UsageReportSerializer = _report(
    "UsageReportSerializer",
    {"totals": UsageTotalsSerializer(), "periods": UsagePeriodSerializer(many=True)},
)
