"""Company endpoints: signup, the plan catalogue, the current company, members, API keys."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.services import SIGNUP_ACCEPTED
from apps.companies import serializers, services
from apps.companies.models import ApiKey, Company, Membership
from apps.companies.selectors import plans_public
from apps.core.ip_limits import limit_by_ip
from apps.core.permissions import IsCompanyAdmin, IsSignedInUser, IsTenantMember
from apps.core.serializers import MessageSerializer
from apps.core.tenancy import require_tenant
from apps.core.views import TenantScopedMixin
from apps.estates.selectors import catalogue_stats
from apps.marketers.selectors import marketer_stats


class SignupView(APIView):
    """Sign up a company and its first admin.

    The answer is the same whether or not the email already has an account (its owner
    is emailed instead), so signup never tells a stranger which emails are registered.
    """

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(request=serializers.SignupSerializer, responses={202: MessageSerializer})
    @limit_by_ip("SIGNUP_RATE_LIMIT")
    def post(self, request: Request) -> Response:
        data = serializers.SignupSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.company_signup(**data.validated_data)
        return Response({"detail": SIGNUP_ACCEPTED}, status=status.HTTP_202_ACCEPTED)


class CompanyCreateView(APIView):
    """A signed-in person creates a company of their own (on a Starter trial) and becomes
    its admin, whatever other companies they belong to."""

    permission_classes = [IsSignedInUser]

    @extend_schema(
        request=serializers.CompanyCreateSerializer,
        responses={201: serializers.CompanySerializer},
    )
    @limit_by_ip("SIGNUP_RATE_LIMIT")
    def post(self, request: Request) -> Response:
        data = serializers.CompanyCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        company = services.company_create(owner_user_id=request.user.pk, **data.validated_data)
        return Response(serializers.CompanySerializer(company).data, status=status.HTTP_201_CREATED)


class PlanListView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(responses=serializers.PlanSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(serializers.PlanSerializer(plans_public(), many=True).data)


class CurrentCompanyView(APIView):
    allowed_without_subscription = True

    def get_permissions(self) -> list[Any]:
        if self.request.method == "GET":
            return [IsTenantMember()]
        return [IsSignedInUser(), IsCompanyAdmin()]

    def _company(self) -> Company:
        return Company.objects.get(pk=require_tenant(self.request).company_id)

    @extend_schema(responses=serializers.CompanySerializer)
    def get(self, request: Request) -> Response:
        return Response(serializers.CompanySerializer(self._company()).data)

    @extend_schema(
        request=serializers.CompanyUpdateSerializer, responses=serializers.CompanySerializer
    )
    def patch(self, request: Request) -> Response:
        update = serializers.CompanyUpdateSerializer(
            self._company(), data=request.data, partial=True
        )
        update.is_valid(raise_exception=True)
        company = services.company_update_profile(
            company_id=require_tenant(request).company_id, data=update.validated_data
        )
        return Response(serializers.CompanySerializer(company).data)


class CompanyStatsView(APIView):
    """The company's numbers for its dashboard: estates, plots by status, clients, sales
    by status and their value, marketers by status and commission amounts by status.
    Cached per company until a write to what they count (the very next read sees it)."""

    permission_classes = [IsCompanyAdmin]
    allowed_without_subscription = True

    @extend_schema(responses=serializers.CompanyStatsSerializer)
    def get(self, request: Request) -> Response:
        company_id = require_tenant(request).company_id
        catalogue = catalogue_stats(company_id=company_id)
        marketers = marketer_stats(company_id=company_id)
        body = {
            "estates": catalogue.estates,
            "plots": catalogue.plots,
            "clients": catalogue.clients,
            "sales": catalogue.sales,
            "sales_value": catalogue.sales_value,
            "marketers": marketers.affiliations,
            "commissions": marketers.commissions,
        }
        return Response(serializers.CompanyStatsSerializer(body).data)


class MembershipViewSet(
    TenantScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The company's members. Only company admins manage them."""

    allowed_without_subscription = True
    queryset = Membership.objects.order_by("created_at", "id")
    serializer_class = serializers.MembershipSerializer
    conflict_actions = ("partial_update", "destroy")
    permission_classes = [IsSignedInUser, IsCompanyAdmin]
    filterset_fields = ["role"]
    ordering_fields = ["created_at"]

    @extend_schema(
        request=serializers.MembershipRoleSerializer, responses=serializers.MembershipSerializer
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        membership = self.get_object()
        data = serializers.MembershipRoleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.membership_change_role(
            company_id=membership.company_id,
            membership_id=membership.pk,
            role=data.validated_data["role"],
        )
        return Response(self.get_serializer(membership).data)

    def perform_destroy(self, instance: Membership) -> None:
        services.membership_remove(company_id=instance.company_id, membership_id=instance.pk)


class ApiKeyViewSet(
    TenantScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Company API keys. Created by a signed-in admin; the key is shown once. DELETE revokes."""

    allowed_without_subscription = True
    queryset = ApiKey.objects.all()
    serializer_class = serializers.ApiKeySerializer
    permission_classes = [IsSignedInUser, IsCompanyAdmin]
    ordering_fields = ["created_at", "last_used_at"]

    @extend_schema(
        request=serializers.ApiKeyCreateSerializer,
        responses={201: serializers.ApiKeyCreatedSerializer},
    )
    def create(self, request: Request) -> Response:
        data = serializers.ApiKeyCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = services.api_key_create(
            company_id=require_tenant(request).company_id,
            name=data.validated_data["name"],
            created_by_id=request.user.pk,
        )
        body = serializers.ApiKeySerializer(created.api_key).data
        body["key"] = created.raw_key
        return Response(body, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, pk: str) -> Response:
        api_key = self.get_object()
        services.api_key_revoke(company_id=api_key.company_id, api_key_id=api_key.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
