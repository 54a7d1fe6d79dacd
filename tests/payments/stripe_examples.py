"""Stripe's published example objects, made plain, as the base of every test object.

``stripe_object(kind)`` deep-copies Stripe's own example of a kind (stripe_fixtures.json:
stripe/openapi's fixtures3.json, MIT, see LICENSE-stripe-openapi), so every field Stripe
sends is there. The examples hold placeholder values (amounts in the billions, a German
VAT rate, a coupon, a shipping address); PLAIN replaces those an NGN subscription never
has. Fields the pinned version dropped are removed, and a field the SDK's typed resource
does not declare is refused, so a shape mistake fails where it is made.
"""

import calendar
import copy
import json
import secrets
import string
import time
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from stripe._api_version import _ApiVersion

from tests.payments.stripe_shapes import sdk_class, sdk_fields

API_VERSION: str = _ApiVersion.CURRENT
CURRENCY = "ngn"
FIXTURES_PATH = Path(__file__).with_name("stripe_fixtures.json")

StripeDict = dict[str, Any]
Timestamp = int | datetime

# Builder-friendly names for the fixtures' object names.
KIND_ALIASES = {
    "invoice_item": "invoiceitem",
    "invoice_line_item": "line_item",
    "checkout_session": "checkout.session",
    "portal_session": "billing_portal.session",
}

ID_PREFIXES = {
    "billing_portal.session": "bps_",
    "charge": "ch_",
    "checkout.session": "cs_test_",
    "credit_note": "cn_",
    "customer": "cus_",
    "event": "evt_",
    "invoice": "in_",
    "invoice_payment": "inpay_",
    "invoiceitem": "ii_",
    "line_item": "il_",
    "payment_intent": "pi_",
    "payment_method": "pm_",
    "plan": "price_",
    "price": "price_",
    "product": "prod_",
    "refund": "re_",
    "subscription": "sub_",
    "subscription_item": "si_",
    "tax_rate": "txr_",
}

# The published examples still carry these; the pinned version does not (the SDK's
# Invoice has no `subscription`: it moved to parent.subscription_details).
REMOVED_FIELDS: dict[str, tuple[str, ...]] = {"invoice": ("subscription",)}

_NO_ADDRESS = None
_TAX_OFF = {"enabled": False, "liability": None, "provider": None, "status": None}

# Plain values for the fields whose example values are placeholders.
PLAIN: dict[str, StripeDict] = {
    "customer": {
        "address": _NO_ADDRESS,
        "balance": 0,
        "currency": None,
        "delinquent": False,
        "discount": None,
        "invoice_settings": {
            "custom_fields": None,
            "default_payment_method": None,
            "footer": None,
            "rendering_options": None,
        },
        "metadata": {},
        "shipping": None,
    },
    "price": {
        "currency": CURRENCY,
        "custom_unit_amount": None,
        "transform_quantity": None,
    },
    "plan": {
        "billing_scheme": "per_unit",
        "currency": CURRENCY,
        "interval_count": 1,
        "livemode": False,
        "metadata": {},
        "transform_usage": None,
    },
    "subscription_item": {"billing_thresholds": None, "discounts": [], "tax_rates": []},
    "subscription": {
        "automatic_tax": {"disabled_reason": None, "enabled": False, "liability": None},
        "billing_cycle_anchor_config": None,
        "billing_mode": {"flexible": None, "type": "classic"},
        "billing_schedules": [],
        "billing_thresholds": None,
        "cancel_at": None,
        "canceled_at": None,
        "cancellation_details": {"comment": None, "feedback": None, "reason": None},
        "currency": CURRENCY,
        "default_tax_rates": [],
        "ended_at": None,
        "managed_payments": {"enabled": False},
        "next_pending_invoice_item_invoice": None,
        "pause_collection": None,
        "payment_settings": {
            "payment_method_options": None,
            "payment_method_types": None,
            "save_default_payment_method": "off",
        },
        "pending_invoice_item_interval": None,
        "pending_update": None,
        "transfer_data": None,
        "trial_end": None,
        "trial_start": None,
    },
    "invoice": {
        "account_country": "NG",
        "account_name": "EstateApp",
        "amount_overpaid": 0,
        "automatic_tax": _TAX_OFF,
        "currency": CURRENCY,
        "customer_address": _NO_ADDRESS,
        "customer_shipping": None,
        "due_date": None,
        "effective_at": None,
        "from_invoice": None,
        "last_finalization_error": None,
        "metadata": {},
        "next_payment_attempt": None,
        "payment_settings": {
            "default_mandate": None,
            "payment_method_options": None,
            "payment_method_types": None,
        },
        "shipping_cost": None,
        "shipping_details": None,
        "total_pretax_credit_amounts": [],
        "total_taxes": [],
        "webhooks_delivered_at": None,
    },
    "line_item": {
        "currency": CURRENCY,
        "discount_amounts": [],
        "metadata": {},
        "pretax_credit_amounts": [],
        "taxes": [],
    },
    "invoiceitem": {
        "currency": CURRENCY,
        "discounts": [],
        "metadata": {},
        "parent": None,
        "pricing": None,
        "quantity_decimal": "1",
        "tax_rates": [],
    },
    "invoice_payment": {"currency": CURRENCY},
    "payment_intent": {
        "automatic_payment_methods": None,
        "canceled_at": None,
        "currency": CURRENCY,
        "last_payment_error": None,
        "managed_payments": {"enabled": False},
        "next_action": None,
        "payment_method_configuration_details": None,
        "payment_method_options": None,
        "processing": None,
        "shipping": None,
        "transfer_data": None,
    },
    "payment_method": {"metadata": {}},
    "tax_rate": {
        "country": "NG",
        "description": "VAT",
        "flat_amount": None,
        "jurisdiction": "NG",
        "rate_type": "percentage",
        "tax_type": "vat",
    },
    "checkout.session": {
        "adaptive_pricing": {"enabled": False},
        "after_expiration": None,
        "automatic_tax": _TAX_OFF,
        "collected_information": None,
        "consent": None,
        "consent_collection": None,
        "currency": CURRENCY,
        "currency_conversion": None,
        "custom_text": {
            "after_submit": None,
            "shipping_address": None,
            "submit": None,
            "terms_of_service_acceptance": None,
        },
        "customer_details": None,
        "invoice_creation": None,
        "managed_payments": {"enabled": False},
        "payment_intent": None,
        "payment_method_collection": "always",
        "payment_method_configuration_details": None,
        "payment_method_options": None,
        "permissions": None,
        "saved_payment_method_options": None,
        "shipping_address_collection": None,
        "shipping_cost": None,
        "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
        "ui_mode": "hosted",
        "wallet_options": None,
    },
    "billing_portal.session": {"flow": None},
    "event": {"pending_webhooks": 1, "request": {"id": None, "idempotency_key": None}},
}


@cache
def _fixtures() -> dict[str, StripeDict]:
    return json.loads(FIXTURES_PATH.read_text())["resources"]


def object_name(kind: str) -> str:
    """The Stripe ``object`` value for a kind ("invoice_item" -> "invoiceitem")."""
    name = KIND_ALIASES.get(kind, kind)
    if name not in _fixtures():
        raise KeyError(f"no published Stripe example for {kind!r}; have {sorted(_fixtures())}")
    return name


_ID_ALPHABET = string.ascii_letters + string.digits


def new_id(kind: str) -> str:
    """A fresh id with the kind's prefix (``cus_…``, ``sub_…``)."""
    token = "".join(secrets.choice(_ID_ALPHABET) for _ in range(24))
    return ID_PREFIXES.get(object_name(kind), "obj_") + token


def now() -> int:
    return int(time.time())


def timestamp(value: Timestamp | None, default: int | None = None) -> int:
    """Unix seconds from an int or an aware datetime; ``default`` (or now) for None."""
    if value is None:
        return now() if default is None else default
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("use an aware datetime")
        return int(value.timestamp())
    return int(value)


def add_months(ts: int, months: int = 1) -> int:
    """The same day and time ``months`` later, clamped to the month's end, as Stripe bills."""
    moment = datetime.fromtimestamp(ts, UTC)
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return int(moment.replace(year=year, month=month, day=day).timestamp())


def stripe_object(kind: str, **fields: Any) -> StripeDict:
    """The published example of ``kind`` with plain values, a fresh id and ``fields`` set.

    ``fields`` replace whole top-level fields; a field the pinned SDK does not declare for
    this object raises ValueError.
    """
    name = object_name(kind)
    obj = copy.deepcopy(_fixtures()[name])
    for removed in REMOVED_FIELDS.get(name, ()):
        obj.pop(removed, None)
    obj.update(copy.deepcopy(PLAIN.get(name, {})))
    obj["id"] = new_id(name)
    for key, value in (("livemode", False), ("created", now())):
        if key in obj:
            obj[key] = value
    known = sdk_fields(sdk_class(name))
    unknown = sorted(set(fields) - set(known))
    if unknown:
        raise ValueError(f"{name} has no field {unknown} in API version {API_VERSION}")
    obj.update(fields)
    return obj
