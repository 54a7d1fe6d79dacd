from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.companies.selectors import company_max_plots
from apps.core.permissions import IsTenantMember
from apps.core.tenancy import require_tenant
from apps.usage.selectors import usage_summary
from apps.usage.serializers import UsageSummarySerializer


class UsageView(APIView):
    """API usage now against the limits: the caller's hour and daily share (the caller is
    the signed-in user or the API key), what the company's marketers and clients have used
    of the day together, the company's day, and the company's month.

    This request itself is counted before the numbers are read.
    """

    permission_classes = [IsTenantMember]

    @extend_schema(responses=UsageSummarySerializer)
    def get(self, request: Request) -> Response:
        tenant = require_tenant(request)
        summary = usage_summary(
            company_id=tenant.company_id,
            user_id=tenant.user_id,
            api_key_id=tenant.api_key_id,
            role=tenant.role,
            hourly_limit=tenant.hourly_limit or 0,
            daily_limit=tenant.daily_limit or 0,
            max_plots=company_max_plots(company_id=tenant.company_id),
        )
        return Response(UsageSummarySerializer(summary).data)
