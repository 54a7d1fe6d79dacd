"""Marketer signup, applications, the company's affiliations and commissions."""

from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.services import SIGNUP_ACCEPTED
from apps.companies.selectors import company_id_for_slug
from apps.core.errors import ValidationFailed
from apps.core.ip_limits import limit_by_ip
from apps.core.list_rows import ValuesListMixin
from apps.core.pagination import KeysetPagination
from apps.core.permissions import IsCompanyAdmin, IsSignedInUser, tenant_role_in
from apps.core.roles import Role
from apps.core.serializers import EmptySerializer, MessageSerializer
from apps.core.views import SeesOwnRowsMixin
from apps.marketers import serializers, services
from apps.marketers.filters import CommissionFilter
from apps.marketers.models import MarketerAffiliation, MarketerEarnedCommission
from apps.marketers.read_scopes import COMMISSIONS

AdminOrMarketer = tenant_role_in(Role.COMPANY_ADMIN, Role.MARKETER)


class MarketerSignupView(APIView):
    """Sign up as a marketer. The answer is the same whether or not the email already has
    an account (its owner is emailed instead)."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(request=serializers.MarketerSignupSerializer, responses={202: MessageSerializer})
    @limit_by_ip("SIGNUP_RATE_LIMIT")
    def post(self, request: Request) -> Response:
        data = serializers.MarketerSignupSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.marketer_register(**data.validated_data)
        return Response({"detail": SIGNUP_ACCEPTED}, status=status.HTTP_202_ACCEPTED)


class MyAffiliationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The signed-in marketer's own applications, across companies; POST applies to one."""

    serializer_class = serializers.AffiliationSerializer
    permission_classes = [IsSignedInUser]
    conflict_actions = ("create",)
    ordering_fields = ["created_at", "decided_at"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet:
        return MarketerAffiliation.objects.filter(
            marketer__user_id=self.request.user.pk
        ).select_related("marketer")

    @extend_schema(
        request=serializers.AffiliationApplySerializer,
        responses={201: serializers.AffiliationSerializer},
    )
    def create(self, request: Request) -> Response:
        data = serializers.AffiliationApplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        company_id = company_id_for_slug(slug=data.validated_data["company"])
        if company_id is None:
            raise ValidationFailed(details={"company": ["No company with this slug."]})
        affiliation = services.affiliation_request(
            user_id=request.user.pk, company_id=company_id, phone=data.validated_data["phone"]
        )
        return Response(
            self.get_serializer(self.get_queryset().get(pk=affiliation.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class AdminsActMarketersReadOwn(SeesOwnRowsMixin):
    """Admins read and act on every row of the company; a marketer only reads their own."""

    def get_permissions(self) -> list[Any]:
        if self.action in ("list", "retrieve"):
            return [AdminOrMarketer()]
        return [IsCompanyAdmin()]


class AffiliationViewSet(
    AdminsActMarketersReadOwn,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The company's marketers. Admins decide; a marketer sees only their own."""

    queryset = MarketerAffiliation.objects.select_related("marketer")
    own_rows = {Role.MARKETER: lambda tenant: Q(marketer__user_id=tenant.user_id)}
    conflict_actions = ("approve", "reject", "suspend", "reactivate")
    serializer_class = serializers.AffiliationSerializer
    filterset_fields = ["status"]
    ordering_fields = ["created_at", "decided_at"]
    ordering = ["-created_at", "-id"]

    def _decide(self, decision: Callable[..., Any], input_serializer: type) -> Response:
        """Run one decision service on this affiliation with the validated input."""
        affiliation = self.get_object()
        data = input_serializer(data=self.request.data)
        data.is_valid(raise_exception=True)
        decision(
            company_id=affiliation.company_id,
            affiliation_id=affiliation.pk,
            decided_by_id=self.request.user.pk,
            **data.validated_data,
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=affiliation.pk)).data)

    @extend_schema(
        request=serializers.AffiliationApproveSerializer,
        responses=serializers.AffiliationSerializer,
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        return self._decide(services.affiliation_approve, serializers.AffiliationApproveSerializer)

    @extend_schema(
        request=serializers.AffiliationReasonSerializer, responses=serializers.AffiliationSerializer
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        return self._decide(services.affiliation_reject, serializers.AffiliationReasonSerializer)

    @extend_schema(
        request=serializers.AffiliationReasonSerializer, responses=serializers.AffiliationSerializer
    )
    @action(detail=True, methods=["post"])
    def suspend(self, request: Request, pk: str) -> Response:
        return self._decide(services.affiliation_suspend, serializers.AffiliationReasonSerializer)

    @extend_schema(request=None, responses=serializers.AffiliationSerializer)
    @action(detail=True, methods=["post"])
    def reactivate(self, request: Request, pk: str) -> Response:
        return self._decide(services.affiliation_reactivate, EmptySerializer)


class CommissionViewSet(
    ValuesListMixin,
    AdminsActMarketersReadOwn,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Earned commissions. A marketer sees their own; admins approve and mark them paid."""

    queryset = MarketerEarnedCommission.objects.select_related("affiliation__marketer")
    pagination_class = KeysetPagination
    read_scope = COMMISSIONS  # the page-number form's total is cached under it
    own_rows = {Role.MARKETER: lambda tenant: Q(affiliation__marketer__user_id=tenant.user_id)}
    conflict_actions = ("approve", "mark_paid")
    serializer_class = serializers.CommissionSerializer
    filterset_class = CommissionFilter
    ordering_fields = ["created_at", "amount"]
    ordering = ["-created_at", "-id"]

    @extend_schema(request=None, responses=serializers.CommissionSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        commission = self.get_object()
        EmptySerializer(data=request.data).is_valid(raise_exception=True)
        commission = services.commission_approve(
            company_id=commission.company_id,
            commission_id=commission.pk,
            approved_by_id=request.user.pk,
        )
        return Response(self.get_serializer(commission).data)

    @extend_schema(
        request=serializers.CommissionPaidSerializer, responses=serializers.CommissionSerializer
    )
    @action(detail=True, methods=["post"], url_path="mark-paid")
    def mark_paid(self, request: Request, pk: str) -> Response:
        commission = self.get_object()
        data = serializers.CommissionPaidSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        commission = services.commission_mark_paid(
            company_id=commission.company_id,
            commission_id=commission.pk,
            **data.validated_data,
        )
        return Response(self.get_serializer(commission).data)
