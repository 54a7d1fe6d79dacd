"""The Stripe API the app uses, in memory: objects by id, and the operations on them.

It answers in the pinned API version's shapes (every object is built by stripe_objects)
and refuses what Stripe refuses that a test could trip over: unknown or missing
parameters (checked against the SDK's own params types), unknown ids, a mode other than
subscription, changes to a canceled subscription, items for a finalized invoice. It is
transport-free; stripe_server.py puts it behind HTTP.
"""

import copy
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tests.payments import stripe_objects as so
from tests.payments.stripe_form import as_bool, as_int, param_problems, params_type

StripeDict = dict[str, Any]

# Fields Stripe leaves out unless expand[] asks for them (the app needs invoice.payments).
INCLUDABLE = {"invoice": ("payments",)}

SUBSCRIPTION_STATUSES = {
    "active",
    "canceled",
    "incomplete",
    "incomplete_expired",
    "past_due",
    "paused",
    "trialing",
    "unpaid",
}
PRORATION_BEHAVIORS = {"always_invoice", "create_prorations", "none"}
METADATA_LIMITS = {"keys": 50, "key_length": 40, "value_length": 500}

# Human names Stripe uses in "No such ...: 'id'" messages.
LABELS = {
    "billing_portal.session": "billing portal session",
    "checkout.session": "checkout.session",
    "customer": "customer",
    "invoice": "invoice",
    "invoice_payment": "invoice payment",
    "invoiceitem": "invoiceitem",
    "payment_intent": "payment_intent",
    "payment_method": "PaymentMethod",
    "price": "price",
    "subscription": "subscription",
    "tax_rate": "tax rate",
}


class StripeError(Exception):
    """An error answer in Stripe's shape: ``{"error": {"type", "message", "code", "param"}}``."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error: StripeDict = {"type": type, "message": message}
        if code:
            self.error["code"] = code
            self.error["doc_url"] = f"https://docs.stripe.com/error-codes/{code.replace('_', '-')}"
        if param:
            self.error["param"] = param

    def body(self) -> StripeDict:
        return {"error": dict(self.error)}


def bad_request(message: str, param: str | None = None, code: str | None = None) -> StripeError:
    return StripeError(400, message, param=param, code=code)


def no_such(kind: str, id: str, param: str = "id", status: int = 404) -> StripeError:
    label = LABELS.get(kind, kind)
    return StripeError(status, f"No such {label}: '{id}'", code="resource_missing", param=param)


def _int(params: Mapping[str, Any], name: str, default: int | None = None) -> int | None:
    if name not in params:
        return default
    try:
        return as_int(params[name])
    except ValueError as exc:
        raise bad_request(str(exc), name, "parameter_invalid_integer") from exc


def _bool(params: Mapping[str, Any], name: str, default: bool | None = None) -> bool | None:
    if name not in params:
        return default
    try:
        return as_bool(params[name])
    except ValueError as exc:
        raise bad_request(str(exc), name) from exc


def _float(params: Mapping[str, Any], name: str) -> float:
    try:
        return float(params[name])
    except (TypeError, ValueError) as exc:
        raise bad_request(f"Invalid decimal: {params[name]}", name) from exc


def merged_metadata(current: Mapping[str, str], update: Any, param: str = "metadata") -> StripeDict:
    """Stripe's metadata update: keys merge, ``""`` removes a key, ``metadata=""`` clears."""
    if update == "":
        return {}
    if not isinstance(update, Mapping):
        raise bad_request("Invalid object", param)
    merged = dict(current)
    for key, value in update.items():
        if len(key) > METADATA_LIMITS["key_length"]:
            raise bad_request(f"Metadata key {key!r} is longer than 40 characters.", param)
        if not isinstance(value, str):
            raise bad_request("Metadata values must be strings.", f"{param}[{key}]")
        if len(value) > METADATA_LIMITS["value_length"]:
            raise bad_request(f"Metadata values can be at most 500 characters ({key}).", param)
        if value == "":
            merged.pop(key, None)
        else:
            merged[key] = value
    if len(merged) > METADATA_LIMITS["keys"]:
        raise bad_request("Metadata can have at most 50 keys.", param)
    return merged


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: str
    params: str  # the SDK's params type for the operation, for params_type()


def _route(method: str, path: str, handler: str, params: str) -> Route:
    pattern = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path) + "$")
    return Route(method, pattern, handler, params)


ROUTES = (
    _route("POST", "/v1/customers", "create_customer", "customer_create"),
    _route("GET", "/v1/customers", "list_customers", "customer_list"),
    _route("GET", "/v1/customers/{id}", "retrieve_customer", "customer_retrieve"),
    _route("POST", "/v1/customers/{id}", "update_customer", "customer_update"),
    _route("POST", "/v1/checkout/sessions", "create_checkout_session", "checkout/session_create"),
    _route(
        "GET",
        "/v1/checkout/sessions/{id}",
        "retrieve_checkout_session",
        "checkout/session_retrieve",
    ),
    _route(
        "POST",
        "/v1/billing_portal/sessions",
        "create_portal_session",
        "billing_portal/session_create",
    ),
    _route("GET", "/v1/subscriptions", "list_subscriptions", "subscription_list"),
    _route("GET", "/v1/subscriptions/{id}", "retrieve_subscription", "subscription_retrieve"),
    _route("POST", "/v1/subscriptions/{id}", "update_subscription", "subscription_update"),
    _route("DELETE", "/v1/subscriptions/{id}", "cancel_subscription", "subscription_cancel"),
    _route("GET", "/v1/prices/{id}", "retrieve_price", "price_retrieve"),
    _route("POST", "/v1/tax_rates", "create_tax_rate", "tax_rate_create"),
    _route("GET", "/v1/tax_rates", "list_tax_rates", "tax_rate_list"),
    _route("GET", "/v1/tax_rates/{id}", "retrieve_tax_rate", "tax_rate_retrieve"),
    _route("POST", "/v1/invoiceitems", "create_invoice_item", "invoice_item_create"),
    _route("GET", "/v1/invoiceitems", "list_invoice_items", "invoice_item_list"),
    _route("GET", "/v1/invoices", "list_invoices", "invoice_list"),
    _route("GET", "/v1/invoices/{id}", "retrieve_invoice", "invoice_retrieve"),
    _route("GET", "/v1/invoice_payments", "list_invoice_payments", "invoice_payment_list"),
    _route("GET", "/v1/payment_intents/{id}", "retrieve_payment_intent", "payment_intent_retrieve"),
    _route("GET", "/v1/payment_methods", "list_payment_methods", "payment_method_list"),
    _route("GET", "/v1/payment_methods/{id}", "retrieve_payment_method", "payment_method_retrieve"),
)


@dataclass
class CheckoutOutcome:
    """What completing a Checkout Session created, each as Stripe now holds it."""

    session: StripeDict
    customer: StripeDict
    subscription: StripeDict
    invoice: StripeDict
    payment_intent: StripeDict
    invoice_payment: StripeDict


@dataclass
class InvoicePayment:
    """An invoice after a payment attempt, with the intent and the link between them."""

    invoice: StripeDict
    payment_intent: StripeDict
    invoice_payment: StripeDict


@dataclass
class _CheckoutPlan:
    """What a session's parameters ask for once it completes."""

    items: list[tuple[str, int, list[str]]]  # price id, quantity, tax rate ids
    subscription_metadata: dict[str, str] = field(default_factory=dict)
    default_tax_rates: list[str] = field(default_factory=list)


class FakeStripe:
    """Stripe's objects and the operations the app calls, behind one lock."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.objects: dict[str, StripeDict] = {}
        self._checkout_plans: dict[str, _CheckoutPlan] = {}

    # --- dispatch ---------------------------------------------------------------------------

    def handle(self, method: str, path: str, params: StripeDict) -> tuple[int, StripeDict]:
        """(status, body) for one API call; errors come back in Stripe's error shape."""
        with self.lock:
            # A refused call changes nothing, as at Stripe: undo what it did before failing.
            saved = copy.deepcopy((self.objects, self._checkout_plans)) if method != "GET" else None
            try:
                return 200, self._dispatch(method, path, params)
            except StripeError as error:
                if saved is not None:
                    self.objects, self._checkout_plans = saved
                return error.status, error.body()

    def _dispatch(self, method: str, path: str, params: StripeDict) -> StripeDict:
        for route in ROUTES:
            match = route.pattern.match(path)
            if route.method == method and match:
                for code, param, message in param_problems(params, params_type(route.params)):
                    raise bad_request(message, param, code)
                handler: Callable[..., StripeDict] = getattr(self, route.handler)
                result = handler(params, **match.groupdict())
                return self._expanded(result, params.get("expand", []))
        raise StripeError(
            404,
            f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs "
            "or we can help at https://support.stripe.com/.",
            code="resource_missing",
        )

    # --- the store --------------------------------------------------------------------------

    def add(self, obj: Mapping[str, Any]) -> StripeDict:
        with self.lock:
            self.objects[obj["id"]] = copy.deepcopy(dict(obj))
            return copy.deepcopy(self.objects[obj["id"]])

    def get(self, id: str) -> StripeDict:
        with self.lock:
            return copy.deepcopy(self.objects[id])

    def _find(self, kind: str, id: str, param: str = "id", status: int = 404) -> StripeDict:
        obj = self.objects.get(id)
        if obj is None or obj.get("object") != kind:
            raise no_such(kind, id, param, status)
        return obj

    def _all(self, kind: str) -> list[StripeDict]:
        return [obj for obj in self.objects.values() if obj.get("object") == kind]

    def _list(self, url: str, items: list[StripeDict], params: Mapping[str, Any]) -> StripeDict:
        """A page of ``items``, newest first, with Stripe's limit/starting_after/ending_before."""
        newest_first = list(reversed(items))  # the store keeps creation order
        newest_first.sort(key=lambda obj: obj.get("created", 0), reverse=True)
        limit = _int(params, "limit", 10)
        if not 1 <= limit <= 100:
            raise bad_request("Invalid limit: must be between 1 and 100", "limit")
        ids = [obj["id"] for obj in newest_first]
        for cursor in ("starting_after", "ending_before"):
            if cursor in params and params[cursor] not in ids:
                raise bad_request(
                    f"Invalid {cursor}: no object with id {params[cursor]!r} in this list",
                    cursor,
                    "resource_missing",
                )
        if "ending_before" in params:
            end = ids.index(params["ending_before"])
            start = max(0, end - limit)
            page, has_more = newest_first[start:end], start > 0
        else:
            start = ids.index(params["starting_after"]) + 1 if "starting_after" in params else 0
            page = newest_first[start : start + limit]
            has_more = start + limit < len(newest_first)
        return {"object": "list", "data": page, "has_more": has_more, "url": url}

    # --- expand[] ---------------------------------------------------------------------------

    def _expanded(self, result: StripeDict, paths: Iterable[str]) -> StripeDict:
        answer = copy.deepcopy(result)
        for path in paths:
            self._expand(answer, path.split("."))
        return answer

    def _expand(self, node: Any, parts: list[str]) -> None:
        if not parts:
            return
        if isinstance(node, list):
            for item in node:
                self._expand(item, parts)
            return
        if not isinstance(node, dict):
            return
        head, rest = parts[0], parts[1:]
        if head not in node and head in INCLUDABLE.get(node.get("object", ""), ()):
            node[head] = self._invoice_payments(node["id"])
        if head not in node:
            raise bad_request(f"This property cannot be expanded ({head}).", "expand")
        value = node[head]
        if isinstance(value, str) and value in self.objects:
            node[head] = value = copy.deepcopy(self.objects[value])
        self._expand(value, rest)

    def _invoice_payments(self, invoice_id: str) -> StripeDict:
        payments = [p for p in self._all("invoice_payment") if p["invoice"] == invoice_id]
        return {
            "object": "list",
            "data": copy.deepcopy(payments),
            "has_more": False,
            "url": f"/v1/invoices/{invoice_id}/payments",
        }

    # --- customers --------------------------------------------------------------------------

    def create_customer(self, params: StripeDict) -> StripeDict:
        settings = params.get("invoice_settings") or {}
        obj = so.customer(
            email=params.get("email"),
            name=params.get("name"),
            metadata=merged_metadata({}, params.get("metadata", {})),
            description=params.get("description"),
            phone=params.get("phone"),
        )
        if "payment_method" in params:
            method = self._find(
                "payment_method", params["payment_method"], "payment_method", status=400
            )
            method["customer"] = obj["id"]
        self.objects[obj["id"]] = obj
        self._set_default_payment_method(obj, settings)
        return obj

    def list_customers(self, params: StripeDict) -> StripeDict:
        customers = self._all("customer")
        if "email" in params:
            customers = [c for c in customers if c["email"] == params["email"]]
        return self._list("/v1/customers", customers, params)

    def retrieve_customer(self, params: StripeDict, id: str) -> StripeDict:
        return self._find("customer", id)

    def update_customer(self, params: StripeDict, id: str) -> StripeDict:
        obj = self._find("customer", id)
        for name in ("email", "name", "phone", "description"):
            if name in params:
                obj[name] = params[name] or None
        if "metadata" in params:
            obj["metadata"] = merged_metadata(obj["metadata"], params["metadata"])
        self._set_default_payment_method(obj, params.get("invoice_settings") or {})
        return obj

    def _set_default_payment_method(self, obj: StripeDict, settings: Mapping[str, Any]) -> None:
        if "default_payment_method" not in settings:
            return
        method_id = settings["default_payment_method"] or None
        if method_id:
            param = "invoice_settings[default_payment_method]"
            method = self._find("payment_method", method_id, param, status=400)
            if method["customer"] != obj["id"]:
                raise bad_request(
                    f"The PaymentMethod {method_id} must be attached to the customer "
                    "before it can be its default.",
                    param,
                )
        obj["invoice_settings"]["default_payment_method"] = method_id

    # --- catalogue --------------------------------------------------------------------------

    def retrieve_price(self, params: StripeDict, id: str) -> StripeDict:
        return self._find("price", id)

    def create_tax_rate(self, params: StripeDict) -> StripeDict:
        obj = so.tax_rate(
            _float(params, "percentage"),
            _bool(params, "inclusive"),
            display_name=params["display_name"],
            description=params.get("description"),
            active=_bool(params, "active", True),
            metadata=merged_metadata({}, params.get("metadata", {})),
            country=params.get("country"),
            jurisdiction=params.get("jurisdiction"),
            tax_type=params.get("tax_type"),
        )
        self.objects[obj["id"]] = obj
        return obj

    def list_tax_rates(self, params: StripeDict) -> StripeDict:
        rates = self._all("tax_rate")
        for name in ("active", "inclusive"):
            wanted = _bool(params, name)
            if wanted is not None:
                rates = [rate for rate in rates if rate[name] is wanted]
        return self._list("/v1/tax_rates", rates, params)

    def retrieve_tax_rate(self, params: StripeDict, id: str) -> StripeDict:
        return self._find("tax_rate", id)

    def _tax_rates(self, ids: Any, param: str) -> list[StripeDict]:
        if ids == "":
            return []
        return [
            copy.deepcopy(self._find("tax_rate", id, f"{param}[{i}]", status=400))
            for i, id in enumerate(ids or [])
        ]

    def _price(self, id: str, param: str) -> StripeDict:
        return self._find("price", id, param, status=400)

    # --- Checkout and the portal ------------------------------------------------------------

    def create_checkout_session(self, params: StripeDict) -> StripeDict:
        if "mode" not in params:
            raise bad_request("Missing required param: mode.", "mode", "parameter_missing")
        if params["mode"] != "subscription":
            raise bad_request(
                f"The stand-in only starts subscriptions (mode={params['mode']!r}).", "mode"
            )
        if params.get("customer") and params.get("customer_email"):
            raise bad_request(
                "You may only specify one of these parameters: customer, customer_email.",
                "customer",
            )
        if params.get("customer"):
            self._find("customer", params["customer"], "customer", status=400)
        lines = params.get("line_items") or []
        if not lines:
            raise bad_request(
                "`line_items` is required in `subscription` mode.",
                "line_items",
                "parameter_missing",
            )
        items, amount, currency = [], 0, so.CURRENCY
        for index, line in enumerate(lines):
            param = f"line_items[{index}]"
            if "price" not in line:
                raise bad_request(
                    f"Missing required param: {param}[price].",
                    f"{param}[price]",
                    "parameter_missing",
                )
            price = self._price(line["price"], f"{param}[price]")
            if price["type"] != "recurring":
                raise bad_request(
                    "`mode=subscription` needs at least one recurring price.", f"{param}[price]"
                )
            if "quantity" not in line:
                raise bad_request(
                    f"Quantity is required. Add `quantity` to `{param}`.",
                    f"{param}[quantity]",
                    "parameter_missing",
                )
            quantity = _int(line, "quantity")
            rates = [
                rate["id"] for rate in self._tax_rates(line.get("tax_rates"), f"{param}[tax_rates]")
            ]
            items.append((price["id"], quantity, rates))
            amount += price["unit_amount"] * quantity
            currency = price["currency"]
        data = params.get("subscription_data") or {}
        default_rates = self._tax_rates(
            data.get("default_tax_rates"), "subscription_data[default_tax_rates]"
        )
        session = so.checkout_session(
            params.get("client_reference_id"),
            params.get("customer"),
            metadata=merged_metadata({}, params.get("metadata", {})),
            customer_email=params.get("customer_email"),
            amount_total=amount,
            success_url=params.get("success_url"),
            cancel_url=params.get("cancel_url"),
            currency=currency,
        )
        self.objects[session["id"]] = session
        self._checkout_plans[session["id"]] = _CheckoutPlan(
            items=items,
            subscription_metadata=merged_metadata({}, data.get("metadata", {})),
            default_tax_rates=[rate["id"] for rate in default_rates],
        )
        return session

    def retrieve_checkout_session(self, params: StripeDict, id: str) -> StripeDict:
        return self._find("checkout.session", id)

    def create_portal_session(self, params: StripeDict) -> StripeDict:
        if "customer" not in params:
            raise bad_request("Missing required param: customer.", "customer", "parameter_missing")
        self._find("customer", params["customer"], "customer", status=400)
        return so.portal_session(customer=params["customer"], return_url=params.get("return_url"))

    # --- subscriptions ----------------------------------------------------------------------

    def retrieve_subscription(self, params: StripeDict, id: str) -> StripeDict:
        return self._find("subscription", id)

    def list_subscriptions(self, params: StripeDict) -> StripeDict:
        subs = self._all("subscription")
        status = params.get("status")
        if status is None:
            subs = [s for s in subs if s["status"] != "canceled"]
        elif status == "ended":
            subs = [s for s in subs if s["status"] in ("canceled", "incomplete_expired")]
        elif status != "all":
            if status not in SUBSCRIPTION_STATUSES:
                raise bad_request(f"Invalid status: {status}", "status")
            subs = [s for s in subs if s["status"] == status]
        if "customer" in params:
            subs = [s for s in subs if s["customer"] == params["customer"]]
        if "price" in params:
            subs = [
                s
                for s in subs
                if any(i["price"]["id"] == params["price"] for i in s["items"]["data"])
            ]
        return self._list("/v1/subscriptions", subs, params)

    def update_subscription(self, params: StripeDict, id: str) -> StripeDict:
        sub = self._find("subscription", id)
        if sub["status"] == "canceled" and set(params) - {
            "metadata",
            "cancellation_details",
            "expand",
        }:
            raise bad_request(
                "A canceled subscription can only update its cancellation_details and metadata."
            )
        behavior = params.get("proration_behavior")
        if behavior is not None and behavior not in PRORATION_BEHAVIORS:
            raise bad_request(f"Invalid proration_behavior: {behavior}", "proration_behavior")
        if "items" in params:
            self._update_items(sub, params["items"])
        cancel = _bool(params, "cancel_at_period_end")
        if cancel is not None:
            _, period_end = so.current_period(sub)
            sub["cancel_at_period_end"] = cancel
            sub["cancel_at"] = period_end if cancel else None
            sub["canceled_at"] = so.now() if cancel else None
        if "cancellation_details" in params:
            details = params["cancellation_details"]
            for name in ("comment", "feedback"):
                if name in details:
                    sub["cancellation_details"][name] = details[name] or None
        if "metadata" in params:
            sub["metadata"] = merged_metadata(sub["metadata"], params["metadata"])
        if "default_payment_method" in params:
            method = params["default_payment_method"] or None
            if method:
                self._find("payment_method", method, "default_payment_method", status=400)
            sub["default_payment_method"] = method
        if "default_tax_rates" in params:
            sub["default_tax_rates"] = self._tax_rates(
                params["default_tax_rates"], "default_tax_rates"
            )
        return sub

    def _update_items(self, sub: StripeDict, changes: list[StripeDict]) -> None:
        items = sub["items"]["data"]
        start, end = so.current_period(sub)
        for index, change in enumerate(changes):
            param = f"items[{index}]"
            if "id" in change:
                item = next((i for i in items if i["id"] == change["id"]), None)
                if item is None:
                    raise bad_request(
                        f"No such subscription item: '{change['id']}'",
                        f"{param}[id]",
                        "resource_missing",
                    )
                if _bool(change, "deleted", False):
                    items.remove(item)
                    continue
            else:
                if "price" not in change:
                    raise bad_request(f"Missing required param: {param}[price].", f"{param}[price]")
                item = so.subscription_item(
                    sub["id"],
                    self._price(change["price"], f"{param}[price]"),
                    period_start=start,
                    period_end=end,
                )
                items.append(item)
            if "price" in change:
                price = self._price(change["price"], f"{param}[price]")
                item["price"] = copy.deepcopy(price)
                item["plan"] = so.plan_from_price(price)
            if "quantity" in change:
                item["quantity"] = _int(change, "quantity")
            if "metadata" in change:
                item["metadata"] = merged_metadata(item["metadata"], change["metadata"])
            if "tax_rates" in change:
                item["tax_rates"] = self._tax_rates(change["tax_rates"], f"{param}[tax_rates]")
        if not items:
            raise bad_request("A subscription needs at least one item.", "items")

    def cancel_subscription(self, params: StripeDict, id: str) -> StripeDict:
        sub = self._find("subscription", id)
        if sub["status"] == "canceled":
            raise bad_request(
                "A canceled subscription can only update its cancellation_details and metadata."
            )
        moment = so.now()
        sub.update(status="canceled", canceled_at=moment, ended_at=moment, cancel_at=None)
        details = params.get("cancellation_details") or {}
        sub["cancellation_details"] = {
            "comment": details.get("comment") or None,
            "feedback": details.get("feedback") or None,
            "reason": "cancellation_requested",
        }
        return sub

    # --- invoices ---------------------------------------------------------------------------

    def create_invoice_item(self, params: StripeDict) -> StripeDict:
        if "customer" not in params:
            raise bad_request("Missing required param: customer.", "customer", "parameter_missing")
        customer = self._find("customer", params["customer"], "customer", status=400)
        invoice = None
        if "invoice" in params:
            invoice = self._find("invoice", params["invoice"], "invoice", status=400)
            if invoice["status"] != "draft":
                raise bad_request(
                    f"Invoice {invoice['id']} is no longer a draft: items can only be added "
                    "to draft invoices.",
                    "invoice",
                )
            if invoice["customer"] != customer["id"]:
                raise bad_request("The invoice belongs to another customer.", "invoice")
        amount, price_id = self._item_amount(params)
        currency = params.get("currency") or (invoice or customer)["currency"] or so.CURRENCY
        if invoice is not None and currency != invoice["currency"]:
            raise bad_request(
                f"Currency {currency} does not match the invoice's ({invoice['currency']}).",
                "currency",
            )
        subscription_id = params.get("subscription")
        if subscription_id:
            self._find("subscription", subscription_id, "subscription", status=400)
        elif invoice is not None and invoice["parent"]:
            subscription_id = invoice["parent"]["subscription_details"]["subscription"]
        rates = self._tax_rates(params.get("tax_rates"), "tax_rates")
        period = params.get("period") or {}
        item = so.invoice_item(
            customer["id"],
            amount,
            params.get("description"),
            invoice=invoice["id"] if invoice else None,
            subscription_id=params.get("subscription"),
            period_start=_int(period, "start"),
            period_end=_int(period, "end"),
            tax_rates=rates,
            metadata=merged_metadata({}, params.get("metadata", {})),
            currency=currency,
            discountable=_bool(params, "discountable", amount >= 0),
        )
        if price_id:
            item["pricing"] = {
                "type": "price_details",
                "price_details": {"price": price_id, "product": self.objects[price_id]["product"]},
                "unit_amount_decimal": str(self.objects[price_id]["unit_amount"]),
            }
        self.objects[item["id"]] = item
        if invoice is not None:
            self._attach_item(invoice, item, subscription_id)
        return item

    def _item_amount(self, params: StripeDict) -> tuple[int, str | None]:
        price_id = (params.get("pricing") or {}).get("price")
        if price_id:
            price = self._price(price_id, "pricing[price]")
            return price["unit_amount"] * _int(params, "quantity", 1), price_id
        if "amount" in params:
            return _int(params, "amount"), None
        raise bad_request(
            "You must specify either `amount`, `pricing[price]`, `price_data` or "
            "`unit_amount_decimal`.",
            "amount",
        )

    def _attach_item(
        self, invoice: StripeDict, item: StripeDict, subscription_id: str | None
    ) -> None:
        rates = item["tax_rates"] or invoice["default_tax_rates"]
        line = so.invoice_line(
            item["amount"],
            item["description"],
            invoice_item_id=item["id"],
            subscription_id=subscription_id,
            period_start=item["period"]["start"],
            period_end=item["period"]["end"],
            tax_rates=rates,
            invoice_id=invoice["id"],
            metadata=item["metadata"],
        )
        item["invoice"] = invoice["id"]
        invoice["lines"]["data"].append(line)
        self._recompute(invoice)

    def _recompute(self, invoice: StripeDict) -> None:
        totals = so.invoice_totals(invoice["lines"]["data"])
        invoice.update(totals)
        invoice["amount_due"] = totals["total"]
        invoice["amount_remaining"] = totals["total"] - invoice["amount_paid"]

    def list_invoice_items(self, params: StripeDict) -> StripeDict:
        items = self._all("invoiceitem")
        if "customer" in params:
            items = [i for i in items if i["customer"] == params["customer"]]
        if "invoice" in params:
            items = [i for i in items if i["invoice"] == params["invoice"]]
        pending = _bool(params, "pending")
        if pending is not None:
            items = [i for i in items if (i["invoice"] is None) is pending]
        return self._list("/v1/invoiceitems", items, params)

    def retrieve_invoice(self, params: StripeDict, id: str) -> StripeDict:
        return self._find("invoice", id)

    def list_invoices(self, params: StripeDict) -> StripeDict:
        invoices = self._all("invoice")
        for name in ("customer", "status"):
            if name in params:
                invoices = [i for i in invoices if i[name] == params[name]]
        if "subscription" in params:
            invoices = [i for i in invoices if _subscription_of(i) == params["subscription"]]
        return self._list("/v1/invoices", invoices, params)

    def list_invoice_payments(self, params: StripeDict) -> StripeDict:
        payments = self._all("invoice_payment")
        if "invoice" in params:
            payments = [p for p in payments if p["invoice"] == params["invoice"]]
        if "status" in params:
            payments = [p for p in payments if p["status"] == params["status"]]
        wanted = params.get("payment") or {}
        if "payment_intent" in wanted:
            payments = [
                p
                for p in payments
                if p["payment"].get("payment_intent") == wanted["payment_intent"]
            ]
        return self._list("/v1/invoice_payments", payments, params)

    # --- payments ---------------------------------------------------------------------------

    def retrieve_payment_intent(self, params: StripeDict, id: str) -> StripeDict:
        return self._find("payment_intent", id)

    def retrieve_payment_method(self, params: StripeDict, id: str) -> StripeDict:
        return self._find("payment_method", id)

    def list_payment_methods(self, params: StripeDict) -> StripeDict:
        methods = self._all("payment_method")
        if "customer" in params:
            methods = [m for m in methods if m["customer"] == params["customer"]]
        if "type" in params:
            methods = [m for m in methods if m["type"] == params["type"]]
        return self._list("/v1/payment_methods", methods, params)

    # --- what Stripe does on its own, for tests to trigger ----------------------------------

    def set_subscription_state(
        self,
        id: str,
        *,
        status: str | None = None,
        price_id: str | None = None,
        period_start: so.Timestamp | None = None,
        period_end: so.Timestamp | None = None,
        cancel_at_period_end: bool | None = None,
        metadata: Mapping[str, str] | None = None,
        latest_invoice: str | None = None,
    ) -> StripeDict:
        with self.lock:
            sub = self._find("subscription", id)
            item = sub["items"]["data"][0]
            if status is not None:
                if status not in SUBSCRIPTION_STATUSES:
                    raise ValueError(f"not a subscription status: {status!r}")
                sub["status"] = status
                if status == "canceled":
                    sub["ended_at"] = sub["canceled_at"] = sub["canceled_at"] or so.now()
            if price_id is not None:
                price = self.objects.get(price_id) or so.price(price_id)
                item["price"], item["plan"] = copy.deepcopy(price), so.plan_from_price(price)
            for each in sub["items"]["data"]:
                if period_start is not None:
                    each["current_period_start"] = so.timestamp(period_start)
                if period_end is not None:
                    each["current_period_end"] = so.timestamp(period_end)
            if cancel_at_period_end is not None:
                sub["cancel_at_period_end"] = cancel_at_period_end
                sub["cancel_at"] = item["current_period_end"] if cancel_at_period_end else None
                sub["canceled_at"] = so.now() if cancel_at_period_end else None
            if metadata is not None:
                sub["metadata"] = dict(metadata)
            if latest_invoice is not None:
                sub["latest_invoice"] = latest_invoice
            return copy.deepcopy(sub)

    def complete_checkout(
        self, session_id: str, *, payment_method: Mapping[str, Any] | None = None
    ) -> CheckoutOutcome:
        """The customer paid on the Checkout page: a customer (unless the session had one),
        the card, an active subscription, its first invoice paid, and the session complete."""
        with self.lock:
            session = self._find("checkout.session", session_id)
            if session["status"] != "open":
                raise ValueError(f"{session_id} is {session['status']}, not open")
            plan = self._checkout_plans[session_id]
            if session["customer"]:
                customer = self.objects[session["customer"]]
            else:
                customer = so.customer(email=session["customer_email"])
                self.objects[customer["id"]] = customer
            customer["currency"] = session["currency"]
            card = dict(payment_method or so.payment_method(email=customer["email"]))
            card["customer"] = customer["id"]
            self.objects[card["id"]] = card
            customer["invoice_settings"]["default_payment_method"] = card["id"]
            (first_price, first_quantity, first_rates), *others = plan.items
            sub = so.subscription(
                customer["id"],
                first_price,
                metadata=plan.subscription_metadata,
                price_object=self.objects[first_price],
                quantity=first_quantity,
                item_tax_rates=[self.objects[r] for r in first_rates],
                default_tax_rates=[self.objects[r] for r in plan.default_tax_rates],
                default_payment_method=card["id"],
            )
            start, end = so.current_period(sub)
            for price_id, quantity, rates in others:
                sub["items"]["data"].append(
                    so.subscription_item(
                        sub["id"],
                        self.objects[price_id],
                        period_start=start,
                        period_end=end,
                        quantity=quantity,
                        tax_rates=[self.objects[r] for r in rates],
                    )
                )
            self.objects[sub["id"]] = sub
            invoice = self._new_invoice(sub, "subscription_create", start, start)
            paid = self._pay(invoice, card["id"])
            session.update(
                status="complete",
                payment_status="paid",
                customer=customer["id"],
                subscription=sub["id"],
                invoice=invoice["id"],
                url=None,
                customer_details=so.checkout_customer_details(customer["email"]),
            )
            return CheckoutOutcome(
                session=copy.deepcopy(session),
                customer=copy.deepcopy(customer),
                subscription=copy.deepcopy(sub),
                invoice=paid.invoice,
                payment_intent=paid.payment_intent,
                invoice_payment=paid.invoice_payment,
            )

    def create_invoice(
        self, subscription_id: str, billing_reason: str = "subscription_cycle"
    ) -> StripeDict:
        """A draft invoice for the subscription, with its pending invoice items. For a
        renewal (``subscription_cycle``) the subscription first moves to its next period,
        and the invoice's own period is the one just ended, as Stripe does."""
        with self.lock:
            sub = self._find("subscription", subscription_id)
            start, end = so.current_period(sub)
            if billing_reason == "subscription_cycle":
                for item in sub["items"]["data"]:
                    item["current_period_start"] = end
                    item["current_period_end"] = so.add_months(end)
            invoice = self._new_invoice(sub, billing_reason, start, end)
            return copy.deepcopy(invoice)

    def _new_invoice(
        self, sub: StripeDict, billing_reason: str, period_start: int, period_end: int
    ) -> StripeDict:
        customer = self.objects[sub["customer"]]
        lines = [
            so.subscription_line({**sub, "items": {**sub["items"], "data": [item]}})
            for item in sub["items"]["data"]
        ]
        invoice = so.invoice(
            sub["customer"],
            sub["id"],
            "draft",
            billing_reason,
            lines,
            period_start=period_start,
            period_end=period_end,
            subscription_metadata=sub["metadata"],
            default_tax_rates=sub["default_tax_rates"],
            customer_email=customer["email"],
            customer_name=customer["name"],
            default_payment_method=None,
        )
        self.objects[invoice["id"]] = invoice
        for item in self._all("invoiceitem"):
            if item["customer"] == sub["customer"] and item["invoice"] is None:
                self._attach_item(invoice, item, sub["id"])
        sub["latest_invoice"] = invoice["id"]
        return invoice

    def finalize_invoice(self, id: str) -> StripeDict:
        with self.lock:
            invoice = self._find("invoice", id)
            self._finalize(invoice)
            return copy.deepcopy(invoice)

    def _finalize(self, invoice: StripeDict) -> None:
        if invoice["status"] != "draft":
            return
        customer = self.objects[invoice["customer"]]
        number = f"{customer['invoice_prefix']}-{customer['next_invoice_sequence']:04d}"
        customer["next_invoice_sequence"] += 1
        hosted = f"https://invoice.stripe.com/i/acct_test/{invoice['id']}"
        moment = so.now()
        invoice.update(
            status="open",
            number=number,
            hosted_invoice_url=hosted,
            invoice_pdf=f"{hosted}/pdf",
            effective_at=moment,
            auto_advance=True,
        )
        invoice["status_transitions"]["finalized_at"] = moment

    def void_invoice(self, id: str) -> StripeDict:
        """An open invoice voided (in the Dashboard, say): nothing more is owed on it."""
        with self.lock:
            invoice = self._find("invoice", id)
            self._finalize(invoice)
            invoice.update(status="void", amount_remaining=0, auto_advance=False)
            invoice["status_transitions"]["voided_at"] = so.now()
            return copy.deepcopy(invoice)

    def pay_invoice(self, id: str, *, payment_method: str | None = None) -> InvoicePayment:
        """The invoice (finalized first if a draft) paid in full by card."""
        with self.lock:
            return self._pay(self._find("invoice", id), payment_method)

    def _pay(self, invoice: StripeDict, payment_method: str | None) -> InvoicePayment:
        self._finalize(invoice)
        method = payment_method or self._default_method(invoice["customer"])
        intent = so.payment_intent(
            invoice["amount_due"],
            invoice["customer"],
            "succeeded",
            payment_method=method,
        )
        link = so.invoice_payment(invoice["id"], intent["id"], invoice["amount_due"], "paid")
        moment = so.now()
        invoice.update(
            status="paid",
            amount_paid=invoice["amount_due"],
            amount_remaining=0,
            attempted=True,
            attempt_count=invoice["attempt_count"] + 1,
            auto_advance=False,
            next_payment_attempt=None,
        )
        invoice["status_transitions"]["paid_at"] = moment
        self.objects[intent["id"]] = intent
        self.objects[link["id"]] = link
        return InvoicePayment(copy.deepcopy(invoice), copy.deepcopy(intent), copy.deepcopy(link))

    def fail_invoice_payment(
        self, id: str, *, decline_code: str = "insufficient_funds"
    ) -> InvoicePayment:
        """A declined renewal: the invoice open and attempted, its intent needing a new card,
        the subscription past due."""
        with self.lock:
            invoice = self._find("invoice", id)
            self._finalize(invoice)
            method = self._default_method(invoice["customer"])
            intent = so.payment_intent(
                invoice["amount_due"],
                invoice["customer"],
                "requires_payment_method",
                payment_method=None,
                last_payment_error={
                    **so.card_error(decline_code),
                    "payment_method": copy.deepcopy(self.objects[method]) if method else None,
                },
            )
            link = so.invoice_payment(invoice["id"], intent["id"], invoice["amount_due"], "open")
            invoice.update(
                attempted=True,
                attempt_count=invoice["attempt_count"] + 1,
                next_payment_attempt=so.now() + 3 * 24 * 3600,
            )
            self.objects[intent["id"]] = intent
            self.objects[link["id"]] = link
            subscription_id = _subscription_of(invoice)
            if subscription_id:
                self.objects[subscription_id]["status"] = "past_due"
            return InvoicePayment(
                copy.deepcopy(invoice), copy.deepcopy(intent), copy.deepcopy(link)
            )

    def _default_method(self, customer_id: str) -> str | None:
        customer = self.objects.get(customer_id) or {}
        return (customer.get("invoice_settings") or {}).get("default_payment_method")


def _subscription_of(invoice: Mapping[str, Any]) -> str | None:
    """The subscription an invoice bills (parent.subscription_details in this version)."""
    parent = invoice.get("parent") or {}
    return (parent.get("subscription_details") or {}).get("subscription")
