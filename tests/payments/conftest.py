"""Fixtures for the card payment tests: the Stripe stand-in, and our settings pointed at it."""

from collections.abc import Iterator
from typing import Any

import pytest

from apps.companies.models import Plan, PlanStripePrice
from tests.payments import stripe_objects as so
from tests.payments.stripe_server import PRICES, TEST_API_KEY, StripeStandIn, price_id
from tests.payments.stripe_signing import signed_delivery

WEBHOOK_SECRET = "whsec_test_estateapp"


@pytest.fixture
def stripe_server(settings: Any, db: Any) -> Iterator[StripeStandIn]:
    """The stand-in, its prices and our plans' price ids, and our settings aimed at it."""
    with StripeStandIn() as server:
        settings.STRIPE_SECRET_KEY = TEST_API_KEY
        settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
        settings.STRIPE_API_BASE = server.url
        settings.STRIPE_MAX_NETWORK_RETRIES = 0
        settings.FRONTEND_URL = "https://app.estateapp.example"
        for tier, amount in PRICES.items():
            server.add(so.price(price_id(tier), unit_amount=amount))
            PlanStripePrice.objects.update_or_create(
                plan=Plan.objects.get(code=tier),
                environment=settings.STRIPE_ENVIRONMENT,
                defaults={"price_id": price_id(tier)},
            )
        yield server


def post_delivery(client: Any, event: dict[str, Any], secret: str = WEBHOOK_SECRET) -> Any:
    """POST a signed delivery of ``event`` to our webhook, as Stripe does."""
    body, headers = signed_delivery(event, secret)
    return client.generic(
        "POST",
        "/api/webhooks/stripe/",
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=headers["Stripe-Signature"],
    )


@pytest.fixture
def deliver(django_capture_on_commit_callbacks: Any) -> Any:
    """Deliver an event and let its processing run, as the worker would after commit."""

    def send(client: Any, event: dict[str, Any], secret: str = WEBHOOK_SECRET) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return post_delivery(client, event, secret)

    return send
