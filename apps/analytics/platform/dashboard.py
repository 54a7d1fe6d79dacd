"""The staff dashboard in the admin: the platform reports as charts, each with its table."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from apps.analytics.platform import dashboard_charts as charts
from apps.analytics.platform.reports.churn import churn_report
from apps.analytics.platform.reports.cohorts import cohort_report
from apps.analytics.platform.reports.revenue import revenue_report
from apps.analytics.platform.reports.usage import usage_report
from apps.analytics.platform.serializers import PlatformRevenueQuerySerializer

HEAVIEST_SHOWN = 10


def dashboard_context(params: dict[str, Any]) -> dict[str, Any]:
    """The charts for the range in ``params`` (from, to, granularity), or its errors."""
    query = PlatformRevenueQuerySerializer(
        data={k: v for k, v in params.items() if k in ("from", "to", "granularity")}
    )
    errors: dict[str, Any] = {}
    if not query.is_valid():
        # The page still draws (the default range) and says what was wrong.
        errors = dict(query.errors)
        query = PlatformRevenueQuerySerializer(data={})
        query.is_valid(raise_exception=True)
    start, end = query.validated_data["from"], query.validated_data["to"]
    granularity = query.validated_data["granularity"]
    revenue = revenue_report(start=start, end=end, granularity=granularity)
    churn = churn_report(start=start, end=end, granularity=granularity)
    usage = usage_report(start=start, end=end, granularity=granularity, limit=HEAVIEST_SHOWN)
    drawn = [
        charts.mrr_by_tier(revenue),
        charts.mrr_movements(revenue),
        charts.cash(revenue),
        charts.churn_rates(churn),
        charts.cohorts(cohort_report(start=start, end=end)),
        charts.conversion(churn),
        charts.heaviest(usage),
    ]
    limit_columns, limit_rows = charts.limit_table(usage)
    return {
        "start": start,
        "end": end,
        "granularity": granularity,
        "granularities": ("day", "week", "month"),
        "errors": errors,
        "charts": drawn,
        "specs": [chart.spec() for chart in drawn],
        "limit_columns": limit_columns,
        "limit_rows": limit_rows,
        "reasons": churn.reasons,
    }


def dashboard_view(request: HttpRequest, admin_context: dict[str, Any]) -> HttpResponse:
    return TemplateResponse(
        request,
        "admin/analytics/dashboard.html",
        {**admin_context, "title": "Platform dashboard", **dashboard_context(request.GET.dict())},
    )
