"""Stripe objects in the shapes of the API version stripe-python pins, as plain dicts.

Each builder starts from ``stripe_object(kind)``: Stripe's own published example of the
kind with plain values (stripe_examples.py), every field present; it fills in ids,
amounts in kobo (currency "ngn") and the links between objects. Times are unix seconds;
builders take ints or aware datetimes.

Shapes worth knowing (checked against the SDK's resources):
- a subscription's ``current_period_start/end`` live on its items (``items.data[]``);
- an invoice names its subscription in ``parent.subscription_details.subscription``
  (no ``invoice.subscription``), its tax in ``total_taxes`` (no ``invoice.tax``), and
  neither its payment intent nor its charge: those are on invoice payments
  (``/v1/invoice_payments``, ``payment.payment_intent``), which ``expand[]=payments`` includes;
- a payment intent does not name its invoice;
- invoice items and lines carry ``pricing.price_details.price`` (no ``price``).
"""

import copy
import secrets
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tests.payments.stripe_examples import (
    API_VERSION,
    CURRENCY,
    PLAIN,
    StripeDict,
    Timestamp,
    add_months,
    new_id,
    now,
    stripe_object,
    timestamp,
)

__all__ = [
    "API_VERSION",
    "CURRENCY",
    "StripeDict",
    "Timestamp",
    "add_months",
    "card_error",
    "checkout_customer_details",
    "checkout_session",
    "current_period",
    "customer",
    "event",
    "invoice",
    "invoice_item",
    "invoice_line",
    "invoice_payment",
    "invoice_totals",
    "kobo_share",
    "line_taxes",
    "new_id",
    "now",
    "payment_intent",
    "payment_method",
    "plan_from_price",
    "portal_session",
    "price",
    "stripe_object",
    "subscription",
    "subscription_item",
    "subscription_line",
    "tax_rate",
    "timestamp",
]


def _build(kind: str, id: str | None, values: StripeDict, fields: Mapping[str, Any]) -> StripeDict:
    """``stripe_object`` with the builder's values, the caller's ``fields`` winning."""
    return stripe_object(kind, **({"id": id} if id else {}), **{**values, **fields})


def kobo_share(amount: int, percentage: float | Decimal) -> int:
    """``amount * percentage / 100`` rounded half up, in kobo (Stripe rounds each line)."""
    share = Decimal(amount) * Decimal(str(percentage)) / Decimal(100)
    return int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))


# --- catalogue ------------------------------------------------------------------------------


def price(
    id: str | None = None,
    *,
    unit_amount: int = 2_500_000,
    product: str = "prod_EstateAppPlan",
    interval: str = "month",
    nickname: str | None = None,
    lookup_key: str | None = None,
    metadata: Mapping[str, str] | None = None,
    **fields: Any,
) -> StripeDict:
    """A recurring NGN price (₦25,000 a month unless told)."""
    recurring = {
        "interval": interval,
        "interval_count": 1,
        "meter": None,
        "trial_period_days": None,
        "usage_type": "licensed",
    }
    values = {
        "unit_amount": unit_amount,
        "unit_amount_decimal": str(unit_amount),
        "product": product,
        "recurring": recurring,
        "nickname": nickname,
        "lookup_key": lookup_key,
        "metadata": dict(metadata or {}),
    }
    return _build("price", id, values, fields)


def plan_from_price(price_obj: Mapping[str, Any]) -> StripeDict:
    """The legacy ``plan`` Stripe still sends beside ``price`` on subscription items."""
    recurring = price_obj.get("recurring") or {}
    values = {
        "active": price_obj["active"],
        "amount": price_obj["unit_amount"],
        "amount_decimal": price_obj["unit_amount_decimal"],
        "created": price_obj["created"],
        "currency": price_obj["currency"],
        "interval": recurring.get("interval", "month"),
        "nickname": price_obj["nickname"],
        "product": price_obj["product"],
        "usage_type": recurring.get("usage_type", "licensed"),
    }
    return _build("plan", price_obj["id"], values, {})


def tax_rate(
    percentage: float | Decimal,
    inclusive: bool = False,
    *,
    id: str | None = None,
    display_name: str = "VAT",
    description: str | None = "VAT",
    active: bool = True,
    metadata: Mapping[str, str] | None = None,
    **fields: Any,
) -> StripeDict:
    """A tax rate (Nigerian VAT: 7.5, exclusive)."""
    values = {
        "percentage": float(percentage),
        "effective_percentage": float(percentage),
        "inclusive": inclusive,
        "display_name": display_name,
        "description": description,
        "active": active,
        "metadata": dict(metadata or {}),
    }
    return _build("tax_rate", id, values, fields)


# --- customers and cards --------------------------------------------------------------------


def customer(
    id: str | None = None,
    *,
    email: str | None = None,
    name: str | None = None,
    metadata: Mapping[str, str] | None = None,
    default_payment_method: str | None = None,
    currency: str | None = None,
    **fields: Any,
) -> StripeDict:
    """A customer; ``currency`` stays None until its first subscription, as in the API."""
    values = {
        "email": email,
        "name": name,
        "metadata": dict(metadata or {}),
        "currency": currency,
        "invoice_prefix": secrets.token_hex(4).upper(),
        "invoice_settings": {
            **PLAIN["customer"]["invoice_settings"],
            "default_payment_method": default_payment_method,
        },
    }
    return _build("customer", id, values, fields)


def payment_method(
    brand: str = "visa",
    last4: str = "4242",
    exp_month: int = 12,
    exp_year: int = 2030,
    *,
    id: str | None = None,
    customer: str | None = None,
    email: str | None = None,
    name: str | None = None,
    **fields: Any,
) -> StripeDict:
    """A card payment method."""
    billing_details = {
        "address": {
            "city": "Lagos",
            "country": "NG",
            "line1": None,
            "line2": None,
            "postal_code": None,
            "state": None,
        },
        "email": email,
        "name": name,
        "phone": None,
        "tax_id": None,
    }
    obj = _build(
        "payment_method", id, {"customer": customer, "billing_details": billing_details}, fields
    )
    obj["card"].update(
        brand=brand,
        display_brand=brand,
        last4=last4,
        exp_month=exp_month,
        exp_year=exp_year,
        country="NG",
        fingerprint=secrets.token_hex(8),
        generated_from=None,
        networks={"available": [brand], "preferred": None},
        wallet=None,
    )
    return obj


# --- subscriptions --------------------------------------------------------------------------


def subscription_item(
    subscription_id: str,
    price_obj: Mapping[str, Any],
    *,
    period_start: Timestamp | None = None,
    period_end: Timestamp | None = None,
    quantity: int = 1,
    tax_rates: Sequence[Mapping[str, Any]] = (),
    metadata: Mapping[str, str] | None = None,
    id: str | None = None,
    **fields: Any,
) -> StripeDict:
    """An item of a subscription; the current period is the item's."""
    start = timestamp(period_start)
    values = {
        "subscription": subscription_id,
        "price": copy.deepcopy(dict(price_obj)),
        "plan": plan_from_price(price_obj),
        "quantity": quantity,
        "current_period_start": start,
        "current_period_end": timestamp(period_end, add_months(start)),
        "tax_rates": copy.deepcopy(list(tax_rates)),
        "metadata": dict(metadata or {}),
    }
    return _build("subscription_item", id, values, fields)


def subscription(
    customer: str,
    price_id: str,
    status: str = "active",
    period_start: Timestamp | None = None,
    period_end: Timestamp | None = None,
    cancel_at_period_end: bool = False,
    metadata: Mapping[str, str] | None = None,
    *,
    id: str | None = None,
    price_object: Mapping[str, Any] | None = None,
    unit_amount: int | None = None,
    quantity: int = 1,
    item_tax_rates: Sequence[Mapping[str, Any]] = (),
    default_tax_rates: Sequence[Mapping[str, Any]] = (),
    latest_invoice: str | None = None,
    default_payment_method: str | None = None,
    canceled_at: Timestamp | None = None,
    **fields: Any,
) -> StripeDict:
    """A one-item subscription on ``price_id``; its period sits on the item, as in the API.

    ``price_object`` is the whole price (the stand-in passes the one it keeps); without it
    one is built with ``unit_amount``. Cancelling at period end sets ``cancel_at`` to the
    period's end and ``canceled_at`` to when it was asked, as Stripe does.
    """
    sub_id = id or new_id("subscription")
    start = timestamp(period_start)
    end = timestamp(period_end, add_months(start))
    if price_object is None:
        price_object = price(
            price_id, **({} if unit_amount is None else {"unit_amount": unit_amount})
        )
    elif price_object["id"] != price_id:
        raise ValueError(f"price {price_object['id']!r} given for price_id {price_id!r}")
    item = subscription_item(
        sub_id,
        price_object,
        period_start=start,
        period_end=end,
        quantity=quantity,
        tax_rates=item_tax_rates,
    )
    canceled = None if canceled_at is None else timestamp(canceled_at)
    if canceled is None and (cancel_at_period_end or status == "canceled"):
        canceled = now()
    values = {
        "customer": customer,
        "status": status,
        "items": {
            "object": "list",
            "data": [item],
            "has_more": False,
            "url": f"/v1/subscription_items?subscription={sub_id}",
        },
        "cancel_at_period_end": cancel_at_period_end,
        "cancel_at": end if cancel_at_period_end else None,
        "canceled_at": canceled,
        "ended_at": canceled if status == "canceled" else None,
        "billing_cycle_anchor": start,
        "start_date": start,
        "created": min(start, now()),
        "currency": price_object["currency"],
        "metadata": dict(metadata or {}),
        "default_tax_rates": copy.deepcopy(list(default_tax_rates)),
        "latest_invoice": latest_invoice,
        "default_payment_method": default_payment_method,
    }
    return _build("subscription", sub_id, values, fields)


def current_period(sub: Mapping[str, Any]) -> tuple[int, int]:
    """A subscription's current period: its first item's (on classic billing all agree)."""
    item = sub["items"]["data"][0]
    return item["current_period_start"], item["current_period_end"]


# --- invoices -------------------------------------------------------------------------------


def _tax_entry(amount: int, rate: Mapping[str, Any], taxable_amount: int) -> StripeDict:
    return {
        "amount": amount,
        "tax_behavior": "inclusive" if rate["inclusive"] else "exclusive",
        "tax_rate_details": {"tax_rate": rate["id"]},
        "taxability_reason": "standard_rated",
        "taxable_amount": taxable_amount,
        "type": "tax_rate_details",
    }


def line_taxes(amount: int, tax_rates: Sequence[Mapping[str, Any]]) -> list[StripeDict]:
    """A line's ``taxes``: each rate's share of its amount, rounded half up per line."""
    taxes = []
    for rate in tax_rates:
        if rate["inclusive"]:
            net = Decimal(amount) / (1 + Decimal(str(rate["percentage"])) / 100)
            net_kobo = int(net.quantize(Decimal(1), rounding=ROUND_HALF_UP))
            taxes.append(_tax_entry(amount - net_kobo, rate, net_kobo))
        else:
            taxes.append(_tax_entry(kobo_share(amount, rate["percentage"]), rate, amount))
    return taxes


def invoice_line(
    amount: int,
    description: str | None = None,
    *,
    price_id: str | None = None,
    product: str = "prod_EstateAppPlan",
    subscription_id: str | None = None,
    subscription_item_id: str | None = None,
    invoice_item_id: str | None = None,
    period_start: Timestamp | None = None,
    period_end: Timestamp | None = None,
    quantity: int = 1,
    tax_rates: Sequence[Mapping[str, Any]] = (),
    proration: bool = False,
    invoice_id: str | None = None,
    metadata: Mapping[str, str] | None = None,
    id: str | None = None,
    **fields: Any,
) -> StripeDict:
    """An invoice line: a subscription item's charge (``subscription_item_id``) or an
    invoice item's (``invoice_item_id``; one is named if neither is given)."""
    start = timestamp(period_start)
    details = {"proration": proration, "proration_details": {"credited_items": None}}
    if subscription_item_id:
        parent = {
            "type": "subscription_item_details",
            "invoice_item_details": None,
            "subscription_item_details": {
                **details,
                "invoice_item": None,
                "subscription": subscription_id,
                "subscription_item": subscription_item_id,
            },
        }
    else:
        parent = {
            "type": "invoice_item_details",
            "subscription_item_details": None,
            "invoice_item_details": {
                **details,
                "invoice_item": invoice_item_id or new_id("invoiceitem"),
                "subscription": subscription_id,
            },
        }
    pricing = {
        "type": "price_details",
        "price_details": {"price": price_id, "product": product} if price_id else None,
        "unit_amount_decimal": str(Decimal(amount) / quantity) if quantity else None,
    }
    values = {
        "amount": amount,
        "subtotal": amount,
        "description": description,
        "invoice": invoice_id,
        "parent": parent,
        "period": {"start": start, "end": timestamp(period_end, start)},
        "pricing": pricing,
        "quantity": quantity,
        "quantity_decimal": str(quantity),
        "subscription": subscription_id,
        "taxes": line_taxes(amount, tax_rates),
        "metadata": dict(metadata or {}),
    }
    return _build("line_item", id, values, fields)


def subscription_line(
    sub: Mapping[str, Any], *, tax_rates: Sequence[Mapping[str, Any]] | None = None
) -> StripeDict:
    """The line a subscription's first item adds to its invoice for the current period,
    taxed at the item's rates or else the subscription's default ones, unless told."""
    item = sub["items"]["data"][0]
    item_price = item["price"]
    if tax_rates is None:
        tax_rates = item["tax_rates"] or sub["default_tax_rates"] or ()
    return invoice_line(
        item_price["unit_amount"] * item["quantity"],
        f"{item['quantity']} × {item_price['nickname'] or item_price['product']}",  # noqa: RUF001 (Stripe's own wording)
        price_id=item_price["id"],
        product=item_price["product"],
        subscription_id=sub["id"],
        subscription_item_id=item["id"],
        period_start=item["current_period_start"],
        period_end=item["current_period_end"],
        quantity=item["quantity"],
        tax_rates=tax_rates,
    )


def invoice_totals(lines: Sequence[Mapping[str, Any]]) -> StripeDict:
    """subtotal, total_taxes (one entry per rate), total and the _excluding_tax amounts."""
    subtotal = sum(line["amount"] for line in lines)
    by_rate: dict[str, StripeDict] = {}
    for line in lines:
        for tax in line["taxes"] or ():
            rate_id = tax["tax_rate_details"]["tax_rate"]
            entry = by_rate.setdefault(
                rate_id, {**copy.deepcopy(tax), "amount": 0, "taxable_amount": 0}
            )
            entry["amount"] += tax["amount"]
            entry["taxable_amount"] += tax["taxable_amount"] or 0
    taxes = list(by_rate.values())
    exclusive = sum(t["amount"] for t in taxes if t["tax_behavior"] == "exclusive")
    inclusive = sum(t["amount"] for t in taxes if t["tax_behavior"] == "inclusive")
    return {
        "subtotal": subtotal,
        "subtotal_excluding_tax": subtotal - inclusive,
        "total_taxes": taxes,
        "total": subtotal + exclusive,
        "total_excluding_tax": subtotal - inclusive,
    }


def invoice(
    customer: str,
    subscription_id: str | None = None,
    status: str = "draft",
    billing_reason: str = "subscription_cycle",
    lines: Sequence[Mapping[str, Any]] = (),
    *,
    period_start: Timestamp | None = None,
    period_end: Timestamp | None = None,
    amount_paid: int | None = None,
    number: str | None = None,
    subscription_metadata: Mapping[str, str] | None = None,
    default_tax_rates: Sequence[Mapping[str, Any]] = (),
    customer_email: str | None = None,
    created: Timestamp | None = None,
    id: str | None = None,
    **fields: Any,
) -> StripeDict:
    """An invoice whose amounts add up from its lines (pass ``total=`` etc. to break that).

    ``period_start/end`` are the invoice's own: for a renewal, the period that just ended
    (when its pending items were collected); each line's ``period`` is what it bills for.
    A paid invoice has paid its whole amount unless ``amount_paid`` says otherwise.
    """
    invoice_id = id or new_id("invoice")
    created_at = timestamp(created)
    line_dicts = [{**copy.deepcopy(dict(line)), "invoice": invoice_id} for line in lines]
    totals = invoice_totals(line_dicts)
    if amount_paid is None:
        amount_paid = totals["total"] if status == "paid" else 0
    finalized = status != "draft"
    if finalized and number is None:
        number = f"{secrets.token_hex(4).upper()}-{secrets.randbelow(9000) + 1000:04d}"
    parent = None
    if subscription_id:
        parent = {
            "type": "subscription_details",
            "quote_details": None,
            "subscription_details": {
                "metadata": dict(subscription_metadata or {}),
                "subscription": subscription_id,
            },
        }
    hosted = f"https://invoice.stripe.com/i/acct_test/{invoice_id}" if finalized else None
    values = {
        "customer": customer,
        "customer_email": customer_email,
        "status": status,
        "billing_reason": billing_reason,
        "parent": parent,
        "lines": {
            "object": "list",
            "data": line_dicts,
            "has_more": False,
            "url": f"/v1/invoices/{invoice_id}/lines",
        },
        **totals,
        "amount_due": totals["total"],
        "amount_paid": amount_paid,
        "amount_remaining": totals["total"] - amount_paid,
        "attempted": status == "paid",
        "attempt_count": 1 if status == "paid" else 0,
        "auto_advance": status in ("draft", "open"),
        "default_tax_rates": copy.deepcopy(list(default_tax_rates)),
        "number": number,
        "hosted_invoice_url": hosted,
        "invoice_pdf": f"{hosted}/pdf" if hosted else None,
        "effective_at": created_at if finalized else None,
        "period_start": timestamp(period_start, created_at),
        "period_end": timestamp(period_end, created_at),
        "status_transitions": {
            "finalized_at": created_at if finalized else None,
            "marked_uncollectible_at": created_at if status == "uncollectible" else None,
            "paid_at": now() if status == "paid" else None,
            "voided_at": now() if status == "void" else None,
        },
        "created": created_at,
    }
    return _build("invoice", invoice_id, values, fields)


def invoice_payment(
    invoice_id: str,
    payment_intent_id: str,
    amount: int,
    status: str = "paid",
    *,
    is_default: bool = True,
    id: str | None = None,
    **fields: Any,
) -> StripeDict:
    """What links an invoice to the payment intent that pays it (``payment.payment_intent``)."""
    values = {
        "invoice": invoice_id,
        "payment": {"type": "payment_intent", "payment_intent": payment_intent_id},
        "amount_requested": amount,
        "amount_paid": amount if status == "paid" else None,
        "status": status,
        "is_default": is_default,
        "status_transitions": {
            "canceled_at": now() if status == "canceled" else None,
            "paid_at": now() if status == "paid" else None,
        },
    }
    return _build("invoice_payment", id, values, fields)


def invoice_item(
    customer: str,
    amount: int,
    description: str | None = None,
    *,
    invoice: str | None = None,
    subscription_id: str | None = None,
    period_start: Timestamp | None = None,
    period_end: Timestamp | None = None,
    tax_rates: Sequence[Mapping[str, Any]] = (),
    metadata: Mapping[str, str] | None = None,
    id: str | None = None,
    **fields: Any,
) -> StripeDict:
    """An invoice item: on a draft ``invoice``, or pending (invoice None) for the next one.
    A credit is a negative amount."""
    start = timestamp(period_start)
    parent = None
    if subscription_id:
        parent = {
            "type": "subscription_details",
            "subscription_details": {"subscription": subscription_id, "subscription_item": None},
        }
    values = {
        "customer": customer,
        "amount": amount,
        "net_amount": amount,
        "description": description,
        "invoice": invoice,
        "parent": parent,
        "date": now(),
        "period": {"start": start, "end": timestamp(period_end, start)},
        "quantity": 1,
        "tax_rates": copy.deepcopy(list(tax_rates)),
        "metadata": dict(metadata or {}),
    }
    return _build("invoiceitem", id, values, fields)


# --- payments -------------------------------------------------------------------------------


def card_error(
    decline_code: str = "insufficient_funds",
    message: str = "Your card has insufficient funds.",
) -> StripeDict:
    """A ``last_payment_error`` for a declined card."""
    return {
        "type": "card_error",
        "code": "card_declined",
        "decline_code": decline_code,
        "message": message,
        "doc_url": "https://docs.stripe.com/error-codes/card-declined",
        "payment_method_type": "card",
    }


def payment_intent(
    amount: int,
    customer: str | None = None,
    status: str = "succeeded",
    *,
    payment_method: str | None = None,
    latest_charge: str | None = None,
    last_payment_error: Mapping[str, Any] | None = None,
    description: str | None = None,
    metadata: Mapping[str, str] | None = None,
    id: str | None = None,
    **fields: Any,
) -> StripeDict:
    """A payment intent in kobo; a succeeded one has received the amount and has a charge."""
    pi_id = id or new_id("payment_intent")
    if status == "succeeded" and latest_charge is None:
        latest_charge = new_id("charge")
    values = {
        "amount": amount,
        "amount_received": amount if status == "succeeded" else 0,
        "client_secret": f"{pi_id}_secret_{secrets.token_hex(12)}",
        "customer": customer,
        "status": status,
        "payment_method": payment_method,
        "latest_charge": latest_charge,
        "last_payment_error": copy.deepcopy(dict(last_payment_error or {})) or None,
        "description": description,
        "metadata": dict(metadata or {}),
    }
    return _build("payment_intent", pi_id, values, fields)


# --- hosted pages ---------------------------------------------------------------------------


def checkout_session(
    client_reference_id: str | None = None,
    customer: str | None = None,
    subscription: str | None = None,
    metadata: Mapping[str, str] | None = None,
    url: str | None = None,
    *,
    mode: str = "subscription",
    status: str = "open",
    customer_email: str | None = None,
    amount_total: int | None = None,
    success_url: str | None = "https://app.example.com/billing/success",
    cancel_url: str | None = "https://app.example.com/billing/cancel",
    id: str | None = None,
    **fields: Any,
) -> StripeDict:
    """A Checkout Session: open, with a ``url``; or (``status="complete"``) paid, its url
    gone and its customer's details filled in."""
    session_id = id or new_id("checkout.session")
    complete = status == "complete"
    details = checkout_customer_details(customer_email) if complete else None
    created = now()
    values = {
        "client_reference_id": client_reference_id,
        "customer": customer,
        "customer_email": customer_email,
        "customer_details": details,
        "subscription": subscription,
        "metadata": dict(metadata or {}),
        "mode": mode,
        "status": status,
        "payment_status": "paid" if complete else "unpaid",
        "amount_subtotal": amount_total,
        "amount_total": amount_total,
        "success_url": success_url,
        "cancel_url": cancel_url,
        "url": None if complete else url or f"https://checkout.stripe.com/c/pay/{session_id}",
        "created": created,
        "expires_at": created + 24 * 3600,
    }
    return _build("checkout.session", session_id, values, fields)


def checkout_customer_details(email: str | None) -> StripeDict:
    """What a completed session learned about its customer."""
    return {
        "address": {
            "city": None,
            "country": "NG",
            "line1": None,
            "line2": None,
            "postal_code": None,
            "state": None,
        },
        "business_name": None,
        "email": email,
        "individual_name": None,
        "name": None,
        "phone": None,
        "tax_exempt": "none",
        "tax_ids": [],
    }


def portal_session(
    url: str | None = None,
    customer: str | None = None,
    *,
    return_url: str | None = None,
    id: str | None = None,
    **fields: Any,
) -> StripeDict:
    """A customer-portal session; its ``url`` is where the company updates its card."""
    values = {
        "customer": customer or new_id("customer"),
        "configuration": "bpc_" + secrets.token_hex(12),
        "return_url": return_url,
        "url": url or f"https://billing.stripe.com/p/session/test_{secrets.token_hex(16)}",
    }
    return _build("billing_portal.session", id, values, fields)


# --- events ---------------------------------------------------------------------------------


def event(
    type: str,
    data_object: Mapping[str, Any],
    created: Timestamp | None = None,
    previous_attributes: Mapping[str, Any] | None = None,
    id: str | None = None,
    api_version: str | None = API_VERSION,
    *,
    request_id: str | None = None,
    idempotency_key: str | None = None,
    pending_webhooks: int = 1,
) -> StripeDict:
    """An event as a webhook delivers it: a snapshot of ``data_object`` when it happened.

    ``data.previous_attributes`` is there only when given (``*.updated`` events).
    """
    data: StripeDict = {"object": copy.deepcopy(dict(data_object))}
    if previous_attributes is not None:
        data["previous_attributes"] = copy.deepcopy(dict(previous_attributes))
    values = {
        "type": type,
        "data": data,
        "created": timestamp(created),
        "api_version": api_version,
        "pending_webhooks": pending_webhooks,
        "request": {"id": request_id, "idempotency_key": idempotency_key},
    }
    return _build("event", id, values, {})
