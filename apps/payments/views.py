"""The company's payment history, card subscriptions, and the gateway's webhook."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.errors import PermissionDeniedError
from apps.core.permissions import IsCompanyAdmin, IsSignedInUser
from apps.core.serializers import EmptySerializer
from apps.core.tenancy import require_tenant
from apps.core.views import TenantScopedMixin
from apps.payments import serializers, subscriptions
from apps.payments.filters import PaymentFilter
from apps.payments.gateway import GatewaySubscription
from apps.payments.models import Payment
from apps.payments.serializers import PaymentSerializer
from apps.payments.webhooks import webhook_receive


class PaymentViewSet(TenantScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Payments received from the company, newest first. Company admins."""

    queryset = Payment.objects.all()
    serializer_class = PaymentSerializer
    permission_classes = [IsCompanyAdmin]
    filterset_class = PaymentFilter
    ordering_fields = ["paid_at", "amount"]
    ordering = ["-paid_at", "-id"]
    # Paying is how an inactive company becomes active again: it can always see this.
    allowed_without_subscription = True


def _subscription_body(subscription: GatewaySubscription) -> dict:
    return serializers.CardSubscriptionSerializer(
        {
            "subscription_id": subscription.id,
            "status": subscription.status,
            "cancel_at_period_end": subscription.cancel_at_period_end,
            "current_period_end": subscription.current_period_end,
        }
    ).data


class CardPaymentView(APIView):
    """A company admin (signed in) acting on the company's card subscription."""

    permission_classes = [IsSignedInUser, IsCompanyAdmin]
    # Paying is how an inactive company becomes active again.
    allowed_without_subscription = True
    conflict_actions = ("post",)


class CheckoutView(CardPaymentView):
    """Start paying by card: a Checkout session for a plan (subscription mode)."""

    @extend_schema(
        request=serializers.CheckoutSerializer,
        responses={201: serializers.CheckoutStartedSerializer},
    )
    def post(self, request: Request) -> Response:
        data = serializers.CheckoutSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        url = subscriptions.checkout_start(
            company_id=require_tenant(request).company_id, tier=data.validated_data["tier"]
        )
        return Response({"url": url}, status=status.HTTP_201_CREATED)


class SubscriptionChangeView(CardPaymentView):
    """Move the card subscription to another plan, prorated. The new limits apply when
    the gateway confirms the change."""

    @extend_schema(
        request=serializers.SubscriptionChangeSerializer,
        responses={202: serializers.CardSubscriptionSerializer},
    )
    def post(self, request: Request) -> Response:
        data = serializers.SubscriptionChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        subscription = subscriptions.subscription_change(
            company_id=require_tenant(request).company_id, tier=data.validated_data["tier"]
        )
        return Response(_subscription_body(subscription), status=status.HTTP_202_ACCEPTED)


class SubscriptionCancelView(CardPaymentView):
    """Cancel the card subscription at the end of the paid period (access continues
    until then). An optional reason is kept."""

    @extend_schema(
        request=serializers.SubscriptionCancelSerializer,
        responses={202: serializers.CardSubscriptionSerializer},
    )
    def post(self, request: Request) -> Response:
        data = serializers.SubscriptionCancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not data.validated_data["at_period_end"] and not request.user.is_staff:
            raise PermissionDeniedError("Only our staff cancel a subscription at once.")
        subscription = subscriptions.subscription_cancel(
            company_id=require_tenant(request).company_id, **data.validated_data
        )
        return Response(_subscription_body(subscription), status=status.HTTP_202_ACCEPTED)


class PortalView(CardPaymentView):
    """A link to the card-payment portal, where the company updates its card."""

    @extend_schema(request=None, responses={201: serializers.PortalSerializer})
    def post(self, request: Request) -> Response:
        EmptySerializer(data=request.data).is_valid(raise_exception=True)
        url = subscriptions.portal_url(company_id=require_tenant(request).company_id)
        return Response({"url": url}, status=status.HTTP_201_CREATED)


class StripeWebhookView(APIView):
    """Stripe's signed events. No sign-in, no tier throttle (Stripe retries on any
    non-2xx); a bad signature is a 400 and stores nothing; a valid event is stored once
    and answered at once, and processed in the background."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []
    # Stripe sends JSON; the body is read raw, as signed, never parsed here.
    parser_classes = []

    @extend_schema(request=None, responses={200: None})
    def post(self, request: Request) -> Response:
        payload = request._request.body
        webhook_receive(payload=payload, signature=request.headers.get("Stripe-Signature"))
        return Response(status=status.HTTP_200_OK)
