"""What each gateway event does. Every handler is idempotent and safe in any order: it
runs again on a repeat without doing anything twice, and an older report never
overwrites newer state (subscriptions compare the event's time; invoices only move
forward; payments are recorded once per payment intent)."""

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sentry_sdk
from django.conf import settings
from django.utils import timezone

from apps.billing.selectors import card_invoice_id
from apps.billing.services import (
    CardInvoice,
    CardInvoiceLine,
    Period,
    card_invoice_adjustments,
    card_invoice_mirror,
)
from apps.companies.selectors import (
    SubscriptionStatus,
    billing_account,
    company_id_for_gateway_customer,
)
from apps.companies.services import company_change_subscription
from apps.core.events import publish
from apps.core.money import kobo_to_naira
from apps.payments import signals
from apps.payments.gateway import GatewayEvent, InvoiceItem, get_gateway
from apps.payments.gateway.stripe_gateway import subscription_from
from apps.payments.models import PaymentMethod
from apps.payments.services import payment_record_card, payment_record_card_failure
from apps.payments.subscriptions import card_subscription_apply, company_for_gateway_object

logger = logging.getLogger(__name__)

INVOICE_STATUS = {
    "draft": "draft",
    "open": "issued",
    "paid": "paid",
    "void": "void",
    "uncollectible": "overdue",
}


def _id(value: Any) -> str:
    if isinstance(value, dict):
        return value.get("id") or ""
    return value or ""


def _company_for(obj: dict[str, Any]) -> int | None:
    """The company an object belongs to (its customer's; see company_for_gateway_object)."""
    return company_for_gateway_object(obj)


def _local_date(timestamp: int | None) -> date | None:
    if not timestamp:
        return None
    return timezone.localdate(datetime.fromtimestamp(timestamp, tz=UTC))


# --- subscriptions -----------------------------------------------------------------------------


def checkout_completed(event: GatewayEvent) -> None:
    session = event.object
    company_id = company_for_gateway_object(
        session, named=str(session.get("client_reference_id") or "")
    )
    subscription_id = _id(session.get("subscription"))
    if company_id is None or not subscription_id:
        logger.warning("Checkout %s names no company or subscription", session.get("id"))
        return
    # The session says little about the subscription: ask for it as it is now.
    subscription = get_gateway().fetch_subscription(subscription_id)
    card_subscription_apply(
        company_id=company_id, subscription=subscription, state_at=event.created
    )
    publish(
        signals.checkout_completed,
        sender=GatewayEvent,
        company_id=company_id,
        tier=(session.get("metadata") or {}).get("tier", ""),
        subscription_id=subscription_id,
    )


def subscription_changed(event: GatewayEvent) -> None:
    """Created, updated or deleted (a deleted subscription reports its status as
    cancelled: the company is suspended, the reason kept, until it subscribes again)."""
    subscription = subscription_from(event.object)
    company_id = _company_for(event.object)
    if company_id is None:
        logger.warning("Subscription %s belongs to no company we know", subscription.id)
        return
    card_subscription_apply(
        company_id=company_id, subscription=subscription, state_at=event.created
    )


# --- invoices ------------------------------------------------------------------------------------


def _lines(invoice: dict[str, Any]) -> tuple[CardInvoiceLine, ...]:
    lines = []
    for line in (invoice.get("lines") or {}).get("data") or []:
        amount = kobo_to_naira(int(line.get("amount") or 0))
        quantity = int(line.get("quantity") or 1) or 1
        parent = (line.get("parent") or {}).get("type", "")
        kind = (line.get("metadata") or {}).get("kind") or (
            "subscription" if parent == "subscription_item_details" else "adjustment"
        )
        lines.append(
            CardInvoiceLine(
                kind=kind,
                description=line.get("description") or "",
                quantity=quantity,
                unit_price=(amount / quantity).quantize(Decimal("0.01")),
                amount=amount,
            )
        )
    return tuple(lines)


def _period(invoice: dict[str, Any]) -> Period:
    start = _local_date(invoice.get("period_start")) or timezone.localdate()
    end_at = invoice.get("period_end") or 0
    end = _local_date(end_at - 1) if end_at > (invoice.get("period_start") or 0) else start
    return Period(start, max(start, end or start))


def _mirror(invoice: dict[str, Any], company_id: int) -> int:
    total = kobo_to_naira(int(invoice.get("total") or 0))
    subtotal = kobo_to_naira(int(invoice.get("subtotal") or 0))
    transitions = invoice.get("status_transitions") or {}
    finalized = transitions.get("finalized_at")
    paid = transitions.get("paid_at")
    return card_invoice_mirror(
        data=CardInvoice(
            company_id=company_id,
            external_id=invoice["id"],
            number=invoice.get("number") or "",
            status=INVOICE_STATUS.get(invoice.get("status", ""), "draft"),
            period=_period(invoice),
            lines=_lines(invoice),
            subtotal=subtotal,
            total=total,
            amount_paid=kobo_to_naira(int(invoice.get("amount_paid") or 0)),
            issued_at=datetime.fromtimestamp(finalized, tz=UTC) if finalized else None,
            due_date=_local_date(invoice.get("due_date")),
            paid_at=datetime.fromtimestamp(paid, tz=UTC) if paid else None,
            renewal=invoice.get("billing_reason") == "subscription_cycle",
        )
    )


def invoice_created(event: GatewayEvent) -> None:
    """A renewal drafted: add the ended period's overage and credits to it as items."""
    invoice = event.object
    company_id = _company_for(invoice)
    if company_id is None:
        return
    if invoice.get("status") != "draft" or invoice.get("billing_reason") != "subscription_cycle":
        _mirror(invoice, company_id)
        return
    gateway = get_gateway()
    # Stripe finalizes a renewal about an hour after drafting it; processed later than
    # that (a backlog, retries), the invoice takes no more items. The period's overage
    # then stays unbilled at Stripe: said loudly, and flagged by the reconciliation of
    # the invoice's mirror, never retried in vain.
    current = gateway.fetch_invoice(invoice["id"])
    if current.get("status") != "draft":
        message = (
            f"Stripe invoice {invoice['id']} of company {company_id} was finalized before "
            "its overage and credits were added: bill them by hand"
        )
        logger.error(message)
        sentry_sdk.capture_message(message, level="error")
        _mirror(current, company_id)
        return
    fees = sum(
        (line.amount for line in _lines(invoice) if line.kind == "subscription"), Decimal("0")
    )
    adjustments = card_invoice_adjustments(
        company_id=company_id, external_id=invoice["id"], period=_period(invoice), fees=fees
    )
    if adjustments:
        gateway.add_invoice_items(
            customer_id=_id(invoice.get("customer")),
            invoice_id=invoice["id"],
            items=[
                InvoiceItem(kind=a.kind, description=a.description, amount=a.amount, key=a.key)
                for a in adjustments
            ],
            tax_rate_id=gateway.vat_rate_id(Decimal(settings.VAT_RATE) * 100),
        )


def invoice_updated(event: GatewayEvent) -> None:
    """Finalized, voided, marked uncollectible: mirror it."""
    company_id = _company_for(event.object)
    if company_id is not None:
        _mirror(event.object, company_id)


def invoice_paid(event: GatewayEvent) -> None:
    invoice = event.object
    company_id = _company_for(invoice)
    if company_id is None:
        return
    _record_invoice_payments(invoice, company_id)


def _record_invoice_payments(invoice: dict[str, Any], company_id: int) -> None:
    invoice_id = _mirror(invoice, company_id)
    paid_at = (invoice.get("status_transitions") or {}).get("paid_at")
    for payment_intent_id, kobo in get_gateway().invoice_payments(invoice["id"]):
        payment_record_card(
            company_id=company_id,
            invoice_id=invoice_id,
            amount=kobo_to_naira(kobo),
            payment_intent_id=payment_intent_id,
            paid_at=datetime.fromtimestamp(paid_at, tz=UTC) if paid_at else None,
        )


def invoice_payment_failed(event: GatewayEvent) -> None:
    invoice_updated(event)


# --- payment intents ---------------------------------------------------------------------------


def payment_intent_succeeded(event: GatewayEvent) -> None:
    """A card payment went through: record it against its invoice (fetched, and mirrored
    first if its own events have not arrived yet)."""
    gateway = get_gateway()
    invoice_external_id = gateway.invoice_for_payment_intent(event.object["id"])
    if invoice_external_id is None:
        return  # not an invoice's payment: nothing of ours
    invoice = gateway.fetch_invoice(invoice_external_id)
    company_id = _company_for(invoice)
    if company_id is not None:
        _record_invoice_payments(invoice, company_id)


def payment_intent_failed(event: GatewayEvent) -> None:
    intent = event.object
    company_id = _company_for(intent)
    if company_id is None:
        return
    invoice_external_id = get_gateway().invoice_for_payment_intent(intent["id"])
    error = intent.get("last_payment_error") or {}
    reason = error.get("message") or error.get("code") or "The card was declined."
    sentry_sdk.add_breadcrumb(
        category="payments",
        message=f"Card payment failed for company {company_id}",
        data={"payment_intent": intent["id"], "reason": reason},
    )
    payment_record_card_failure(
        company_id=company_id,
        invoice_id=card_invoice_id(external_id=invoice_external_id or ""),
        amount=kobo_to_naira(int(intent.get("amount") or 0)),
        payment_intent_id=intent["id"],
        attempt=event.id,
        reason=reason,
    )
    # A failure reported after a retry paid the invoice changes nothing but the record.
    settled = invoice_external_id is not None and (
        get_gateway().fetch_invoice(invoice_external_id).get("status") in ("paid", "void")
    )
    if not settled and billing_account(company_id=company_id).status == SubscriptionStatus.ACTIVE:
        company_change_subscription(company_id=company_id, status=SubscriptionStatus.PAST_DUE)


# --- cards ----------------------------------------------------------------------------------------


def payment_method_attached(event: GatewayEvent) -> None:
    method = event.object
    company_id = _company_for(method)
    card = method.get("card") or {}
    if company_id is None or not card:
        return
    PaymentMethod.objects.update_or_create(
        gateway_id=method["id"],
        defaults={
            "company_id": company_id,
            "brand": card.get("brand", ""),
            "last4": card.get("last4", ""),
            "exp_month": int(card.get("exp_month") or 1),
            "exp_year": int(card.get("exp_year") or 1970),
        },
    )


def payment_method_detached(event: GatewayEvent) -> None:
    """A card removed (in the portal, say): it is no longer shown."""
    PaymentMethod.objects.filter(gateway_id=event.object["id"]).delete()


def customer_updated(event: GatewayEvent) -> None:
    customer = event.object
    company_id = company_id_for_gateway_customer(customer_id=customer["id"])
    if company_id is None:
        return
    default = _id((customer.get("invoice_settings") or {}).get("default_payment_method"))
    methods = PaymentMethod.objects.filter(company_id=company_id)
    methods.exclude(gateway_id=default).update(is_default=False)
    if default:
        methods.filter(gateway_id=default).update(is_default=True)


HANDLERS: dict[str, Callable[[GatewayEvent], None]] = {
    "checkout.session.completed": checkout_completed,
    "customer.subscription.created": subscription_changed,
    "customer.subscription.updated": subscription_changed,
    "customer.subscription.deleted": subscription_changed,
    "invoice.created": invoice_created,
    "invoice.finalized": invoice_updated,
    "invoice.voided": invoice_updated,
    "invoice.marked_uncollectible": invoice_updated,
    "invoice.paid": invoice_paid,
    "invoice.payment_failed": invoice_payment_failed,
    "payment_intent.succeeded": payment_intent_succeeded,
    "payment_intent.payment_failed": payment_intent_failed,
    "payment_method.attached": payment_method_attached,
    "payment_method.detached": payment_method_detached,
    "customer.updated": customer_updated,
}
