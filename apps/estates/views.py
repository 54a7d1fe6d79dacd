"""Estates, plots, clients and purchases, scoped to the request's company."""

from collections.abc import Collection, Iterable
from typing import Any

from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.ip_limits import limit_by_ip
from apps.core.list_rows import ValuesListMixin
from apps.core.listing_cache import CachedListMixin
from apps.core.pagination import KeysetPagination
from apps.core.permissions import (
    IsCompanyAdmin,
    IsSignedInUser,
    IsTenantMember,
    MembersReadAdminsWrite,
)
from apps.core.read_versions import read_version_for
from apps.core.roles import Role
from apps.core.serializers import EmptySerializer
from apps.core.tenancy import Tenant, require_tenant
from apps.core.views import SeesOwnRowsMixin, TenantScopedMixin
from apps.estates import filters, selectors, serializers, services
from apps.estates.models import Client, Estate, Plot, PlotPurchase
from apps.estates.read_scopes import CATALOGUE
from apps.estates.selectors import NO_PLOTS
from apps.marketers.selectors import affiliation_ids_for_user


class EstateViewSet(CachedListMixin, TenantScopedMixin, viewsets.ModelViewSet):
    queryset = Estate.objects.all()
    read_scope = CATALOGUE  # pages (with their plot counts) and totals are cached under it
    serializer_class = serializers.EstateSerializer
    conflict_actions = ("create", "update", "partial_update", "destroy")
    permission_classes = [MembersReadAdminsWrite]
    filterset_fields = ["is_active", "state"]
    ordering_fields = ["name", "created_at"]
    ordering = ["name", "id"]

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        if args and args[0] is not None:
            self._count_plots(args[0] if kwargs.get("many") else [args[0]])
        return super().get_serializer(*args, **kwargs)

    def _count_plots(self, estates: Iterable[Estate]) -> None:
        # From the cache, kept per company until a plot changes: no aggregate per request.
        counts = selectors.plot_counts_by_estate(company_id=require_tenant(self.request).company_id)
        for estate in estates:
            found = counts.get(estate.pk, NO_PLOTS)
            estate.plot_count, estate.available_plot_count = found.plots, found.available

    def perform_create(self, serializer: Any) -> None:
        estate = services.estate_create(
            company_id=require_tenant(self.request).company_id, **serializer.validated_data
        )
        self._count_plots([estate])
        serializer.instance = estate

    def perform_update(self, serializer: Any) -> None:
        estate = services.estate_update(
            company_id=serializer.instance.company_id,
            estate_id=serializer.instance.pk,
            data=serializer.validated_data,
        )
        self._count_plots([estate])
        serializer.instance = estate

    def perform_destroy(self, instance: Estate) -> None:
        services.estate_delete(company_id=instance.company_id, estate_id=instance.pk)


class EstateNamesFromMemory:
    """Lists whose rows show their estate's name from the company's estate names kept in
    memory (apps.estates.selectors.estate_names), not joined to every page."""

    request: Any

    def estate_names(self, ids: Collection[int]) -> dict[int, str]:
        company_id = require_tenant(self.request).company_id
        version = read_version_for(self.request, CATALOGUE, company_id)
        return selectors.estate_names(company_id=company_id, catalogue_version=version, ids=ids)


class PlotViewSet(
    CachedListMixin,
    ValuesListMixin,
    EstateNamesFromMemory,
    TenantScopedMixin,
    viewsets.ModelViewSet,
):
    queryset = Plot.objects.select_related("estate")
    read_scope = CATALOGUE
    values_from_memory = {"estate__name": ("estate_id", "estate_names")}
    pagination_class = KeysetPagination
    serializer_class = serializers.PlotSerializer
    conflict_actions = ("create", "update", "partial_update", "destroy")
    permission_classes = [MembersReadAdminsWrite]
    filterset_class = filters.PlotFilter
    ordering_fields = ["price", "size_sqm", "plot_number", "created_at"]
    ordering = ["estate_id", "plot_number", "id"]

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        data.pop("status", None)  # a new plot is available
        serializer.instance = services.plot_create(
            company_id=require_tenant(self.request).company_id,
            estate_id=data.pop("estate").pk,
            **data,
        )

    def perform_update(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        if "estate" in data:
            data["estate_id"] = data.pop("estate").pk
        serializer.instance = services.plot_update(
            company_id=serializer.instance.company_id, plot_id=serializer.instance.pk, data=data
        )

    def perform_destroy(self, instance: Plot) -> None:
        services.plot_delete(company_id=instance.company_id, plot_id=instance.pk)


class ClientViewSet(TenantScopedMixin, viewsets.ModelViewSet):
    """The company's buyers, as it records them. Company admins manage them.

    Recording a client emails the address an invitation; the person sees their purchases
    only after accepting it with an account that owns the address.
    """

    queryset = Client.objects.all()
    serializer_class = serializers.ClientSerializer
    conflict_actions = ("create", "invite", "destroy")
    permission_classes = [IsCompanyAdmin]
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]

    @extend_schema(
        request=serializers.ClientCreateSerializer, responses={201: serializers.ClientSerializer}
    )
    def create(self, request: Request) -> Response:
        data = serializers.ClientCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        client = services.client_create(
            company_id=require_tenant(request).company_id,
            invited_by_id=request.user.pk,
            **data.validated_data,
        )
        return Response(self.get_serializer(client).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={202: serializers.ClientSerializer})
    @action(detail=True, methods=["post"])
    def invite(self, request: Request, pk: str) -> Response:
        """Email the client a new invitation; earlier links stop working."""
        client = self.get_object()
        EmptySerializer(data=request.data).is_valid(raise_exception=True)
        client = services.client_invite(
            company_id=client.company_id, client_id=client.pk, invited_by_id=request.user.pk
        )
        return Response(self.get_serializer(client).data, status=status.HTTP_202_ACCEPTED)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.client_update(
            company_id=serializer.instance.company_id,
            client_id=serializer.instance.pk,
            data=serializer.validated_data,
        )

    def perform_destroy(self, instance: Client) -> None:
        services.client_delete(company_id=instance.company_id, client_id=instance.pk)


def _joined_body(joined: services.InvitationJoined) -> dict[str, Any]:
    return {"company_id": joined.company_id, "client_id": joined.client_id, "role": Role.CLIENT}


class InvitationAcceptView(APIView):
    """Accept a company's invitation, signed in to the account that owns the invited,
    verified address. Use X-Company-ID with the answer's company_id to act there."""

    permission_classes = [IsSignedInUser]
    conflict_actions = ("post",)

    @extend_schema(
        request=serializers.InvitationAcceptSerializer,
        responses=serializers.InvitationJoinedSerializer,
    )
    @limit_by_ip("LOGIN_RATE_LIMIT")
    def post(self, request: Request) -> Response:
        data = serializers.InvitationAcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        joined = services.client_invitation_accept(
            token=data.validated_data["token"], user_id=request.user.pk
        )
        return Response(_joined_body(joined))


class InvitationSignupView(APIView):
    """Create an account for the invited address through the invitation's link (which
    proves the address), accept the invitation and sign in."""

    authentication_classes = []
    permission_classes = [AllowAny]
    conflict_actions = ("post",)

    @extend_schema(
        request=serializers.InvitationSignupSerializer,
        responses={201: serializers.InvitationSignupResponseSerializer},
    )
    @limit_by_ip("SIGNUP_RATE_LIMIT")
    def post(self, request: Request) -> Response:
        data = serializers.InvitationSignupSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        signup = services.client_invitation_signup(**data.validated_data)
        body = {
            **_joined_body(signup.joined),
            "access": signup.tokens.access,
            "refresh": signup.tokens.refresh,
        }
        return Response(body, status=status.HTTP_201_CREATED)


def _purchases_sold_by(tenant: Tenant) -> Q:
    return Q(
        affiliation_id__in=affiliation_ids_for_user(
            company_id=tenant.company_id, user_id=tenant.user_id
        )
    )


class PurchaseViewSet(
    CachedListMixin,
    ValuesListMixin,
    EstateNamesFromMemory,
    SeesOwnRowsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Plot sales. Admins see and make every sale; a client sees their own purchases and
    a marketer the sales made through them."""

    queryset = PlotPurchase.objects.select_related("plot__estate", "client")
    read_scope = CATALOGUE
    values_from_memory = {"plot__estate__name": ("plot__estate_id", "estate_names")}
    pagination_class = KeysetPagination
    own_rows = {
        Role.CLIENT: lambda tenant: Q(client__user_id=tenant.user_id),
        Role.MARKETER: _purchases_sold_by,
    }
    serializer_class = serializers.PurchaseSerializer
    conflict_actions = ("create", "complete", "cancel")
    filterset_class = filters.PurchaseFilter
    ordering_fields = ["purchased_at", "agreed_price"]
    ordering = ["-purchased_at", "-id"]

    def get_permissions(self) -> list[Any]:
        if self.action in ("list", "retrieve"):
            return [IsTenantMember()]
        return [IsCompanyAdmin()]

    @extend_schema(
        request=serializers.PurchaseCreateSerializer,
        responses={201: serializers.PurchaseSerializer},
    )
    def create(self, request: Request) -> Response:
        data = serializers.PurchaseCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        purchase = services.purchase_create(
            company_id=require_tenant(request).company_id,
            plot_id=values.pop("plot").pk,
            client_id=values.pop("client").pk,
            affiliation_id=values.pop("affiliation", None),
            **values,
        )
        return Response(self._read(purchase.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.PurchaseCancelSerializer, responses=serializers.PurchaseSerializer
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        purchase = self.get_object()
        data = serializers.PurchaseCancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.purchase_cancel(
            company_id=purchase.company_id, purchase_id=purchase.pk, **data.validated_data
        )
        return Response(self._read(purchase.pk))

    @extend_schema(request=None, responses=serializers.PurchaseSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str) -> Response:
        purchase = self.get_object()
        EmptySerializer(data=request.data).is_valid(raise_exception=True)
        services.purchase_complete(company_id=purchase.company_id, purchase_id=purchase.pk)
        return Response(self._read(purchase.pk))

    def _read(self, purchase_id: int) -> dict:
        return self.get_serializer(self.get_queryset().get(pk=purchase_id)).data
