"""Staff reports over the platform roll-ups: revenue, churn, cohorts and usage, as JSON or
as CSV (one table at a time)."""

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers as drf_serializers
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.analytics.platform import serializers
from apps.analytics.platform.csv_export import table_csv
from apps.analytics.platform.reports.churn import churn_report
from apps.analytics.platform.reports.cohorts import cohort_report
from apps.analytics.platform.reports.revenue import revenue_report
from apps.analytics.platform.reports.usage import usage_report
from apps.core.renderers import CSVRenderer, ErrorsAsJSONMixin, JSONRenderer


class IsStaff(IsAdminUser):
    """Our staff (``is_staff``), signed in as people; company API keys never are."""

    message = "Only EstateApp staff can see platform reports."


class PlatformReportView(ErrorsAsJSONMixin, APIView):
    permission_classes = [IsStaff]
    renderer_classes = [JSONRenderer, CSVRenderer]
    query_serializer: type[serializers.PlatformReportQuerySerializer]
    answer_serializer: type[drf_serializers.Serializer]
    name: str

    def build(self, query: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def get(self, request: Request) -> Response | HttpResponse:
        params = self.query_serializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        query = params.validated_data
        body = {
            "start": query["from"],
            "end": query["to"],
            "granularity": query["granularity"],
            **self.build(query),
        }
        data = self.answer_serializer(body).data
        # ?format=csv, or an Accept header asking for CSV alone.
        if query["format"] == "csv" or isinstance(request.accepted_renderer, CSVRenderer):
            table = query["table"]
            columns = self.answer_serializer().fields[table].child.fields.keys()
            filename = f"{self.name}-{table}-{query['from']:%Y%m%d}-{query['to']:%Y%m%d}.csv"
            return HttpResponse(
                table_csv(columns, data[table]),
                content_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="{filename}"'},
            )
        return Response(data)

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # An unknown ?format= is bad input (a 400 naming it, from the query serializer),
        # not DRF's 404.
        if request.query_params.get("format", "json") not in ("json", "csv"):
            return JSONRenderer(), JSONRenderer.media_type
        return super().perform_content_negotiation(request, force)


def _schema(query: type, answer: type) -> Any:
    return extend_schema_view(
        get=extend_schema(
            parameters=[query],
            responses={(200, "application/json"): answer, (200, "text/csv"): OpenApiTypes.STR},
        )
    )


@_schema(serializers.PlatformRevenueQuerySerializer, serializers.PlatformRevenueReportSerializer)
class RevenueView(PlatformReportView):
    """MRR and ARR, and MRR's movements (new, expansion, reactivation, contraction,
    churned), per period and per tier; cash received and receivables (staff only)."""

    query_serializer = serializers.PlatformRevenueQuerySerializer
    answer_serializer = serializers.PlatformRevenueReportSerializer
    name = "revenue"

    def build(self, query: dict[str, Any]) -> dict[str, Any]:
        report = revenue_report(
            start=query["from"], end=query["to"], granularity=query["granularity"]
        )
        return {"periods": report.periods, "by_tier": report.by_tier}


@_schema(serializers.PlatformChurnQuerySerializer, serializers.PlatformChurnReportSerializer)
class ChurnView(PlatformReportView):
    """Cancellations and suspensions with reasons, logo and revenue churn rates, and
    trial-to-paid conversion by signup month (staff only)."""

    query_serializer = serializers.PlatformChurnQuerySerializer
    answer_serializer = serializers.PlatformChurnReportSerializer
    name = "churn"

    def build(self, query: dict[str, Any]) -> dict[str, Any]:
        report = churn_report(
            start=query["from"], end=query["to"], granularity=query["granularity"]
        )
        return {
            "periods": report.periods,
            "by_tier": report.by_tier,
            "reasons": report.reasons,
            "events": report.events,
            "trial_conversion": report.trial_conversion,
        }


@_schema(serializers.PlatformCohortQuerySerializer, serializers.PlatformCohortReportSerializer)
class CohortsView(PlatformReportView):
    """Retention by signup month: how many of each month's new companies pay at the end
    of every month after (staff only)."""

    query_serializer = serializers.PlatformCohortQuerySerializer
    answer_serializer = serializers.PlatformCohortReportSerializer
    name = "cohorts"

    def build(self, query: dict[str, Any]) -> dict[str, Any]:
        return {"cohorts": cohort_report(start=query["from"], end=query["to"])}


@_schema(serializers.PlatformUsageQuerySerializer, serializers.PlatformUsageReportSerializer)
class UsageView(PlatformReportView):
    """API calls across tenants per period and tier, the heaviest callers, and the
    companies at 80 % or more of a limit (upsell candidates) (staff only)."""

    query_serializer = serializers.PlatformUsageQuerySerializer
    answer_serializer = serializers.PlatformUsageReportSerializer
    name = "usage"

    def build(self, query: dict[str, Any]) -> dict[str, Any]:
        report = usage_report(
            start=query["from"],
            end=query["to"],
            granularity=query["granularity"],
            limit=query["limit"],
        )
        return {"periods": report.periods, "heaviest": report.heaviest, "limits": report.limits}
