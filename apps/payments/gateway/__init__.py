"""The card payment gateway: Stripe when it is configured (STRIPE_SECRET_KEY), else none,
and the payment endpoints answer 503 ``payments_unavailable`` while everything else works.
A second provider (Paystack) would be another implementation of ``PaymentGateway``."""

from django.conf import settings

from apps.payments.errors import PaymentsUnavailable
from apps.payments.gateway.base import (
    CheckoutStarted,
    GatewayEvent,
    GatewaySubscription,
    InvoiceItem,
    PaymentGateway,
)

__all__ = [
    "CheckoutStarted",
    "GatewayEvent",
    "GatewaySubscription",
    "InvoiceItem",
    "PaymentGateway",
    "get_gateway",
]


def get_gateway() -> PaymentGateway:
    if not settings.STRIPE_SECRET_KEY:
        raise PaymentsUnavailable()
    from apps.payments.gateway.stripe_gateway import StripeGateway

    return StripeGateway()
