"""The company admins' reports, as JSON and as CSV (their own company only)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.analytics.reports import clients, marketers, sales, usage
from apps.analytics.reports import serializers as report_serializers
from apps.analytics.reports.cache import report_cached
from apps.analytics.reports.serializers import ReportQuerySerializer, report_range
from apps.core.csv_export import csv_lines
from apps.core.permissions import IsCompanyAdmin
from apps.core.renderers import CSVRenderer, ErrorsAsJSONMixin
from apps.core.tenancy import require_tenant


@dataclass(frozen=True)
class Report:
    name: str
    build: Callable[..., dict[str, Any]]
    serializer: type
    csv_columns: Sequence[str]
    csv_rows: Callable[[dict[str, Any]], Iterable[Sequence[Any]]]
    summary: str


REPORTS = {
    report.name: report
    for report in (
        Report(
            "sales",
            sales.sales_report,
            report_serializers.SalesReportSerializer,
            sales.CSV_COLUMNS,
            sales.sales_csv_rows,
            "Plots sold and their value by period and estate; price per m²; pending and completed.",
        ),
        Report(
            "marketers",
            marketers.marketers_report,
            report_serializers.MarketersReportSerializer,
            marketers.CSV_COLUMNS,
            marketers.marketers_csv_rows,
            "Each marketer's sales and commissions earned, approved and paid, ranked.",
        ),
        Report(
            "clients",
            clients.clients_report,
            report_serializers.ClientsReportSerializer,
            clients.CSV_COLUMNS,
            clients.clients_csv_rows,
            "New clients, logins, plot views, searches, exports and viewing-to-buying conversion.",
        ),
        Report(
            "usage",
            usage.usage_report,
            report_serializers.UsageReportSerializer,
            usage.CSV_COLUMNS,
            usage.usage_csv_rows,
            "API calls per day against the daily limit, plots against the plan, seats.",
        ),
    )
}

NOTE = (
    " Read from the daily roll-ups (built each night for the day before), so today is not"
    " in them; money is in naira, as decimal strings."
)


def _report_for(request: Request, report: Report) -> dict[str, Any]:
    return report_cached(
        name=report.name,
        company_id=require_tenant(request).company_id,
        report_range=report_range(request.query_params),
        build=report.build,
    )


class ReportView(APIView):
    permission_classes = [IsCompanyAdmin]
    report: Report

    def get(self, request: Request) -> Response:
        # The report is already in its documented shape (``report.serializer``, which
        # tests check it against): money rounded to the kobo, rendered as strings by the
        # JSON renderer. Serializing thousands of nested figures again would double the
        # request's time.
        return Response(_report_for(request, self.report))


class ReportExportView(ErrorsAsJSONMixin, APIView):
    """The same report as CSV: one row per period (and estate or marketer)."""

    permission_classes = [IsCompanyAdmin]
    renderer_classes = [CSVRenderer]
    report: Report

    def get(self, request: Request) -> StreamingHttpResponse:
        body = _report_for(request, self.report)
        period = f"{body['from']}-{body['to']}".replace("-", "")
        filename = f"{self.report.name}-{period[:8]}-{period[8:]}.csv"
        return StreamingHttpResponse(
            csv_lines(self.report.csv_columns, self.report.csv_rows(body)),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # CSV whatever Accept or ?format= say (errors answer in JSON: ErrorsAsJSONMixin).
        return CSVRenderer(), CSVRenderer.media_type


def report_views(report: Report) -> tuple[type[APIView], type[APIView]]:
    """The JSON view and the CSV view of one report, each documented (its own ``get``:
    extend_schema marks the function it is given)."""

    @extend_schema(
        operation_id=f"analytics_{report.name}_report",
        summary=report.summary,
        description=report.summary + NOTE + " Company admins only.",
        parameters=[ReportQuerySerializer],
        responses=report.serializer,
    )
    def get_json(self: ReportView, request: Request) -> Response:
        return ReportView.get(self, request)

    @extend_schema(
        operation_id=f"analytics_{report.name}_report_export",
        summary=f"The {report.name} report as CSV.",
        description=(
            f"Columns: {', '.join(report.csv_columns)}. UTF-8, one row per period"
            " (and estate or marketer with activity in it)." + NOTE + " Company admins only."
        ),
        parameters=[ReportQuerySerializer],
        responses={(200, "text/csv"): OpenApiTypes.BINARY},
    )
    def get_csv(self: ReportExportView, request: Request) -> StreamingHttpResponse:
        return ReportExportView.get(self, request)

    title = report.name.title()
    json_view = type(f"{title}ReportView", (ReportView,), {"report": report, "get": get_json})
    csv_view = type(
        f"{title}ReportExportView", (ReportExportView,), {"report": report, "get": get_csv}
    )
    return json_view, csv_view
