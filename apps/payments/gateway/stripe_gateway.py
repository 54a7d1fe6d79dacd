"""Stripe behind the gateway seam, through stripe-python's StripeClient at the API version
the SDK pins (config/stripe.py). Every call that creates something carries an
idempotency key derived from what it does, so a retried task never makes a second
customer, session or invoice item."""

import json
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

import sentry_sdk
import stripe
from django.conf import settings
from django.utils import timezone
from stripe._api_version import _ApiVersion

from apps.core.money import naira_to_kobo
from apps.payments.errors import (
    GatewayRefused,
    GatewayUnavailable,
    InvalidSignature,
    PaymentsUnavailable,
)
from apps.payments.gateway.base import (
    CheckoutStarted,
    GatewayEvent,
    GatewaySubscription,
    InvoiceItem,
)
from apps.payments.models import GatewayTaxRate

logger = logging.getLogger(__name__)
T = TypeVar("T")


def _datetime(timestamp: int | None) -> datetime | None:
    return datetime.fromtimestamp(timestamp, tz=UTC) if timestamp else None


def _id(value: Any) -> str | None:
    """An expandable field's id, whether Stripe sent the id or the object."""
    if isinstance(value, dict):
        return value.get("id")
    return value or None


def subscription_from(obj: Any) -> GatewaySubscription:
    """A Stripe subscription (an SDK object or its dict) as plain values. The period lives
    on the subscription's items in the pinned API version."""
    data = obj if isinstance(obj, dict) else obj.to_dict()
    items = (data.get("items") or {}).get("data") or [{}]
    first = items[0]
    price = first.get("price") or {}
    customer = data.get("customer")
    return GatewaySubscription(
        id=data["id"],
        customer_id=customer["id"] if isinstance(customer, dict) else customer or "",
        status=data.get("status", ""),
        price_id=price.get("id") if isinstance(price, dict) else price,
        current_period_end=_datetime(first.get("current_period_end")),
        cancel_at_period_end=bool(data.get("cancel_at_period_end")),
        metadata=dict(data.get("metadata") or {}),
    )


def _short_text(value: Any, longest: int) -> bool:
    return isinstance(value, str) and 0 < len(value) <= longest


def _event_from(payload: bytes) -> GatewayEvent:
    """A verified body as an event: the event as Stripe sent it (the SDK's objects would
    turn numbers into Decimals). A thin event (API v2), or a body that is no event or
    that we could not store (an id or type too long, a NUL character, which PostgreSQL's
    jsonb refuses), is refused: Stripe never sends one."""
    if b"\\u0000" in payload:
        raise InvalidSignature("The webhook's body holds a NUL character.")
    try:
        data = json.loads(payload)
    except (ValueError, RecursionError) as exc:
        raise InvalidSignature("The webhook's body is not JSON.") from exc
    if isinstance(data, dict) and data.get("object") == "v2.core.event":
        raise InvalidSignature("A thin event: this endpoint takes snapshot events.")
    try:
        event = GatewayEvent(
            id=data["id"],
            type=data["type"],
            created=_datetime(data["created"]) or timezone.now(),
            api_version=data.get("api_version") or "",
            livemode=bool(data.get("livemode")),
            object=data["data"]["object"],
            payload=data,
        )
    except (KeyError, TypeError, ValueError, OverflowError, OSError) as exc:
        raise InvalidSignature("The webhook's body is not a Stripe event.") from exc
    if not (
        _short_text(event.id, 255)
        and _short_text(event.type, 100)
        and isinstance(event.api_version, str)
        and len(event.api_version) <= 64
        and isinstance(event.object, dict)
    ):
        raise InvalidSignature("The webhook's body is not a Stripe event.")
    return event


def _signed_in_the_future(signature: str) -> bool:
    """The SDK refuses signatures too old, not ones from the future: a clock skew of more
    than the tolerance, or a delivery made to be replayed later."""
    now = time.time()
    for item in signature.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t" and value.isdigit() and int(value) > now + stripe.Webhook.DEFAULT_TOLERANCE:
            return True
    return False


class StripeGateway:
    name = "stripe"

    def __init__(self) -> None:
        base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
        self.client = stripe.StripeClient(
            settings.STRIPE_SECRET_KEY,
            stripe_version=_ApiVersion.CURRENT,
            base_addresses=base,
            max_network_retries=settings.STRIPE_MAX_NETWORK_RETRIES,
        )

    def _call(self, what: str, call: Callable[[], T]) -> T:
        try:
            return call()
        except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
            logger.warning("Stripe unreachable during %s: %s", what, exc)
            raise GatewayUnavailable() from exc
        except (stripe.InvalidRequestError, stripe.CardError, stripe.IdempotencyError) as exc:
            # Stripe answered and said no (a subscription that no longer exists, a card
            # declined, ...): our view of it is off; retrying will not help.
            logger.warning("Stripe refused %s: %s", what, exc)
            sentry_sdk.capture_exception(exc)
            raise GatewayRefused(details={"gateway": exc.user_message or str(exc)}) from exc
        except stripe.StripeError as exc:  # failing on its side, or our keys are wrong
            logger.error("Stripe failed %s: %s", what, exc)
            sentry_sdk.capture_exception(exc)
            raise GatewayUnavailable() from exc

    # --- webhooks ----------------------------------------------------------------------------

    def verify_event(self, payload: bytes, signature: str | None) -> GatewayEvent:
        """The event, if ``signature`` is Stripe's for ``payload`` under one of the webhook
        secrets (several while rotating) and recent enough; else InvalidSignature.

        The SDK checks the signature and its age (``WebhookSignature.verify_header``, what
        ``Webhook.construct_event`` runs first); the body is then parsed once, as plain
        JSON. ``construct_event`` would parse it again and build the SDK's object tree,
        which nothing here uses: about a millisecond for a 5 KB event, twenty times the
        cost of the check itself.
        """
        secrets = [s.strip() for s in settings.STRIPE_WEBHOOK_SECRET.split(",") if s.strip()]
        if not secrets:
            raise PaymentsUnavailable("Stripe webhooks are not configured here.")
        if not signature or _signed_in_the_future(signature):
            raise InvalidSignature()
        for secret in secrets:
            try:
                stripe.WebhookSignature.verify_header(
                    payload, signature, secret, stripe.Webhook.DEFAULT_TOLERANCE
                )
            except stripe.SignatureVerificationError:
                continue
            except ValueError as exc:  # not UTF-8
                raise InvalidSignature("The webhook's body is not JSON.") from exc
            return _event_from(payload)
        raise InvalidSignature()

    # --- customers and checkout -----------------------------------------------------------------

    def ensure_customer(self, *, company_id: int, email: str, name: str, customer_id: str) -> str:
        if customer_id:
            return customer_id
        customer = self._call(
            "creating a customer",
            lambda: self.client.v1.customers.create(
                params={"email": email, "name": name, "metadata": {"company_id": str(company_id)}},
                options={"idempotency_key": f"customer-{company_id}"},
            ),
        )
        return customer.id

    def start_checkout(
        self,
        *,
        company_id: int,
        tier: str,
        customer_id: str,
        price_id: str,
        success_url: str,
        cancel_url: str,
    ) -> CheckoutStarted:
        metadata = {"company_id": str(company_id), "tier": tier}
        vat = self.vat_rate_id(Decimal(settings.VAT_RATE) * 100)
        # One session per company and plan an hour: a retry reuses it.
        hour = timezone.now().strftime("%Y%m%d%H")
        session = self._call(
            "starting checkout",
            lambda: self.client.v1.checkout.sessions.create(
                params={
                    "mode": "subscription",
                    "customer": customer_id,
                    "client_reference_id": str(company_id),
                    "line_items": [{"price": price_id, "quantity": 1, "tax_rates": [vat]}],
                    "metadata": metadata,
                    "subscription_data": {"metadata": metadata, "default_tax_rates": [vat]},
                    "success_url": success_url,
                    "cancel_url": cancel_url,
                },
                options={"idempotency_key": f"checkout-{company_id}-{price_id}-{hour}"},
            ),
        )
        return CheckoutStarted(id=session.id, url=session.url or "")

    def portal_url(self, *, customer_id: str, return_url: str) -> str:
        session = self._call(
            "opening the billing portal",
            lambda: self.client.v1.billing_portal.sessions.create(
                params={"customer": customer_id, "return_url": return_url}
            ),
        )
        return session.url

    # --- subscriptions --------------------------------------------------------------------------

    def fetch_subscription(self, subscription_id: str) -> GatewaySubscription:
        return subscription_from(
            self._call(
                "fetching a subscription",
                lambda: self.client.v1.subscriptions.retrieve(subscription_id),
            )
        )

    def list_subscriptions(self) -> Iterator[GatewaySubscription]:
        page = self._call(
            "listing subscriptions",
            lambda: self.client.v1.subscriptions.list(params={"status": "all", "limit": 100}),
        )
        for subscription in page.auto_paging_iter():
            yield subscription_from(subscription)

    def change_plan(self, *, subscription_id: str, price_id: str) -> GatewaySubscription:
        current = self._call(
            "fetching a subscription",
            lambda: self.client.v1.subscriptions.retrieve(subscription_id),
        )
        item_id = current["items"]["data"][0]["id"]
        return subscription_from(
            self._call(
                "changing a plan",
                lambda: self.client.v1.subscriptions.update(
                    subscription_id,
                    params={
                        "items": [{"id": item_id, "price": price_id}],
                        "proration_behavior": "create_prorations",
                    },
                    # One key per change asked for: the SDK's retries of this call
                    # reuse it, while moving back to a plan held earlier that day is a
                    # new change (a key naming only the price would replay the first).
                    options={"idempotency_key": f"change-{subscription_id}-{uuid.uuid4()}"},
                ),
            )
        )

    def cancel(self, *, subscription_id: str, at_period_end: bool) -> GatewaySubscription:
        if at_period_end:
            subscription = self._call(
                "cancelling at the period's end",
                lambda: self.client.v1.subscriptions.update(
                    subscription_id, params={"cancel_at_period_end": True}
                ),
            )
        else:
            subscription = self._call(
                "cancelling now",
                lambda: self.client.v1.subscriptions.cancel(subscription_id),
            )
        return subscription_from(subscription)

    # --- invoices ---------------------------------------------------------------------------

    def vat_rate_id(self, percentage: Decimal) -> str:
        """Stripe's tax rate for our VAT, created once and then reused."""
        percentage = percentage.quantize(Decimal("0.0001"))
        known = GatewayTaxRate.objects.filter(percentage=percentage).first()
        if known is not None:
            return known.gateway_id
        rate = self._call(
            "creating the VAT rate",
            lambda: self.client.v1.tax_rates.create(
                params={
                    "display_name": "VAT",
                    "percentage": float(percentage),
                    "inclusive": False,
                    "country": "NG",
                    "jurisdiction": "NG",
                },
                options={"idempotency_key": f"vat-{percentage}"},
            ),
        )
        GatewayTaxRate.objects.get_or_create(
            percentage=percentage, defaults={"gateway_id": rate.id}
        )
        return rate.id

    def add_invoice_items(
        self, *, customer_id: str, invoice_id: str, items: list[InvoiceItem], tax_rate_id: str
    ) -> None:
        for item in items:
            self._call(
                "adding an invoice item",
                lambda item=item: self.client.v1.invoice_items.create(
                    params={
                        "customer": customer_id,
                        "invoice": invoice_id,
                        "amount": naira_to_kobo(item.amount),
                        "currency": "ngn",
                        "description": item.description,
                        "tax_rates": [tax_rate_id],
                        "metadata": {"kind": item.kind},
                    },
                    options={"idempotency_key": item.key},
                ),
            )

    def invoice_payments(self, invoice_id: str) -> list[tuple[str, int]]:
        payments = self._call(
            "listing an invoice's payments",
            lambda: self.client.v1.invoice_payments.list(params={"invoice": invoice_id}),
        )
        paid = []
        for payment in payments.auto_paging_iter():
            data = payment.to_dict()
            intent = _id((data.get("payment") or {}).get("payment_intent"))
            if intent and data.get("status") == "paid":
                paid.append((intent, int(data.get("amount_paid") or 0)))
        return paid

    def invoice_for_payment_intent(self, payment_intent_id: str) -> str | None:
        payments = self._call(
            "finding a payment's invoice",
            lambda: self.client.v1.invoice_payments.list(
                params={"payment": {"type": "payment_intent", "payment_intent": payment_intent_id}}
            ),
        )
        for payment in payments.auto_paging_iter():
            return _id(payment.to_dict().get("invoice"))
        return None

    def fetch_invoice(self, invoice_id: str) -> dict[str, Any]:
        return self._call(
            "fetching an invoice", lambda: self.client.v1.invoices.retrieve(invoice_id)
        ).to_dict()
