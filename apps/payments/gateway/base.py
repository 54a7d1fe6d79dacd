"""The seam between payments and a card gateway (Stripe today, Paystack later): plain
values in and out, so billing and the handlers never see a gateway's SDK objects."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class GatewayEvent:
    id: str
    type: str
    created: datetime
    api_version: str
    livemode: bool
    object: dict[str, Any]
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class GatewaySubscription:
    id: str
    customer_id: str
    status: str  # the gateway's word: active, trialing, past_due, canceled, ...
    price_id: str | None
    current_period_end: datetime | None
    cancel_at_period_end: bool
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CheckoutStarted:
    id: str
    url: str


@dataclass(frozen=True, slots=True)
class InvoiceItem:
    kind: str  # one of billing's line kinds: overage_plots, overage_api_calls, credit
    description: str
    amount: Decimal  # naira, may be negative (a credit)
    key: str  # stable per invoice and line: the idempotency key of its creation


class PaymentGateway(Protocol):
    name: str

    def verify_event(self, payload: bytes, signature: str | None) -> GatewayEvent: ...

    def ensure_customer(
        self, *, company_id: int, email: str, name: str, customer_id: str
    ) -> str: ...

    def start_checkout(
        self,
        *,
        company_id: int,
        tier: str,
        customer_id: str,
        price_id: str,
        success_url: str,
        cancel_url: str,
    ) -> CheckoutStarted: ...

    def change_plan(self, *, subscription_id: str, price_id: str) -> GatewaySubscription: ...

    def cancel(self, *, subscription_id: str, at_period_end: bool) -> GatewaySubscription: ...

    def portal_url(self, *, customer_id: str, return_url: str) -> str: ...

    def fetch_subscription(self, subscription_id: str) -> GatewaySubscription: ...

    def list_subscriptions(self) -> Iterator[GatewaySubscription]: ...

    def vat_rate_id(self, percentage: Decimal) -> str: ...

    def add_invoice_items(
        self, *, customer_id: str, invoice_id: str, items: list[InvoiceItem], tax_rate_id: str
    ) -> None: ...

    def invoice_payments(self, invoice_id: str) -> list[tuple[str, int]]:
        """The payment intents that paid the invoice, with the kobo each paid."""
        ...

    def invoice_for_payment_intent(self, payment_intent_id: str) -> str | None: ...

    def fetch_invoice(self, invoice_id: str) -> dict[str, Any]: ...
