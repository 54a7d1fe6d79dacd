"""Card subscriptions at the gateway: starting one (Checkout), changing plan, cancelling,
and the portal where a company updates its card.

A company's tier and limits change only when the gateway confirms (its webhook, or the
nightly sync), never on the request that asked for the change.
"""

import logging
from datetime import datetime

import sentry_sdk
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.companies.selectors import (
    SubscriptionStatus,
    billing_account,
    company_id_for_gateway_customer,
    gateway_customer_of,
    stripe_price_for_tier,
    tier_for_stripe_price,
)
from apps.companies.services import (
    CardApplied,
    CardSubscriptionState,
    company_apply_card_subscription,
    company_link_gateway_customer,
    company_record_cancellation,
)
from apps.core.errors import ConflictError, ValidationFailed
from apps.core.events import publish
from apps.payments import signals
from apps.payments.errors import ErrorCode
from apps.payments.gateway import GatewaySubscription, get_gateway

logger = logging.getLogger(__name__)

# Why a company whose card subscription ended is suspended.
SUBSCRIPTION_ENDED = "subscription_ended"

# The gateway's subscription statuses, in ours. An ended subscription (cancelled, or
# never paid) suspends the company until it subscribes again or our staff move it to
# offline billing.
STATUS_FROM_GATEWAY = {
    "active": SubscriptionStatus.ACTIVE,
    "trialing": SubscriptionStatus.TRIALING,
    "past_due": SubscriptionStatus.PAST_DUE,
    "unpaid": SubscriptionStatus.SUSPENDED,
    "paused": SubscriptionStatus.SUSPENDED,
    "incomplete": SubscriptionStatus.PAST_DUE,
    "incomplete_expired": SubscriptionStatus.SUSPENDED,
    "canceled": SubscriptionStatus.SUSPENDED,
}
ENDED_AT_GATEWAY = frozenset({"canceled", "incomplete_expired"})
# A first payment not (yet) made: a company on trial keeps its trial meanwhile.
UNPAID_START = frozenset({"incomplete", "incomplete_expired"})


def company_for_gateway_object(obj: dict, *, named: str = "") -> int | None:
    """The company a gateway object (subscription, invoice, session, card) belongs to.

    Its customer decides: every customer is made by us for one company. The company the
    object's metadata (or a checkout's reference, ``named``) names is believed only while
    that company has no customer yet, or this one; any other mismatch is reported and the
    object belongs to nobody we know.
    """
    customer = obj.get("customer")
    customer_id = (customer.get("id") if isinstance(customer, dict) else customer) or ""
    owner = company_id_for_gateway_customer(customer_id=customer_id)
    named = named or str((obj.get("metadata") or {}).get("company_id", ""))
    named_id = int(named) if named.isdigit() and len(named) < 19 else None
    if owner is not None:
        if named_id is not None and named_id != owner:
            logger.warning(
                "%s %s names company %s but its customer %s is company %s's",
                obj.get("object"), obj.get("id"), named_id, customer_id, owner,
            )  # fmt: skip
        return owner
    if named_id is None:
        return None
    known_customer = gateway_customer_of(company_id=named_id)
    if known_customer is None or known_customer not in ("", customer_id):
        logger.warning(
            "%s %s names company %s, which is unknown or has another customer",
            obj.get("object"), obj.get("id"), named_id,
        )  # fmt: skip
        return None
    return named_id


def _frontend(path: str) -> str:
    return f"{settings.FRONTEND_URL.rstrip('/')}/{path}"


def _price(tier: str) -> str:
    price_id = stripe_price_for_tier(tier=tier)
    if not price_id:
        raise ValidationFailed(
            details={"tier": [f"The {tier} plan cannot be paid by card yet."]},
            code=ErrorCode.NO_GATEWAY_PRICE,
        )
    return price_id


def checkout_start(*, company_id: int, tier: str) -> str:
    """A Checkout session for the company to subscribe to ``tier`` by card; its URL.

    The company's customer at the gateway is reused, or made (with its billing email).
    """
    gateway = get_gateway()
    price_id = _price(tier)
    account = billing_account(company_id=company_id)
    if account.stripe_subscription_id:
        # One subscription per company: while the current one lives (unpaid included:
        # its card is updated in the portal), a second would bill the company twice.
        current = gateway.fetch_subscription(account.stripe_subscription_id)
        if current.status not in ENDED_AT_GATEWAY:
            raise ConflictError(
                "The company already pays by card: change its plan, or update its card "
                "in the portal to pay what is due.",
                code=ErrorCode.ALREADY_SUBSCRIBED,
            )
        card_subscription_apply(
            company_id=company_id, subscription=current, state_at=timezone.now()
        )
    customer_id = gateway.ensure_customer(
        company_id=company_id,
        email=account.billing_email,
        name=account.name,
        customer_id=account.stripe_customer_id,
    )
    company_link_gateway_customer(company_id=company_id, customer_id=customer_id)
    session = gateway.start_checkout(
        company_id=company_id,
        tier=tier,
        customer_id=customer_id,
        price_id=price_id,
        success_url=_frontend("billing?checkout=success"),
        cancel_url=_frontend("billing?checkout=cancelled"),
    )
    return session.url


def _card_subscription(company_id: int) -> str:
    account = billing_account(company_id=company_id)
    if not account.stripe_subscription_id:
        raise ConflictError(
            "The company has no card subscription.", code=ErrorCode.NO_CARD_SUBSCRIPTION
        )
    return account.stripe_subscription_id


def subscription_change(*, company_id: int, tier: str) -> GatewaySubscription:
    """Ask the gateway to move the card subscription to ``tier``, prorated; the new limits
    apply when the gateway confirms it."""
    gateway = get_gateway()
    subscription_id = _card_subscription(company_id)
    return gateway.change_plan(subscription_id=subscription_id, price_id=_price(tier))


def subscription_cancel(
    *, company_id: int, reason: str = "", at_period_end: bool = True
) -> GatewaySubscription:
    """Cancel the card subscription, by default at the end of the paid period (access
    continues until then); the reason is kept."""
    gateway = get_gateway()
    subscription_id = _card_subscription(company_id)
    subscription = gateway.cancel(subscription_id=subscription_id, at_period_end=at_period_end)
    with transaction.atomic():
        company_record_cancellation(company_id=company_id, reason=reason)
        publish(
            signals.subscription_cancelled,
            sender=GatewaySubscription,
            company_id=company_id,
            reason=reason,
            at_period_end=at_period_end,
        )
    return subscription


def portal_url(*, company_id: int) -> str:
    gateway = get_gateway()
    account = billing_account(company_id=company_id)
    if not account.stripe_customer_id:
        raise ConflictError(
            "The company has no card on file yet: subscribe by card first.",
            code=ErrorCode.NO_CARD_SUBSCRIPTION,
        )
    return gateway.portal_url(
        customer_id=account.stripe_customer_id, return_url=_frontend("billing")
    )


def card_subscription_apply(
    *,
    company_id: int,
    subscription: GatewaySubscription,
    state_at: datetime,
) -> CardApplied:
    """Bring the company in line with its card subscription as the gateway reports it at
    ``state_at`` (see ``company_apply_card_subscription`` for what is left alone)."""
    if subscription.status not in STATUS_FROM_GATEWAY:
        logger.warning("Unknown subscription status %r from the gateway", subscription.status)
        return CardApplied.UNKNOWN_STATUS
    status: str | None = STATUS_FROM_GATEWAY[subscription.status]
    live = subscription.status not in ENDED_AT_GATEWAY
    tier = tier_for_stripe_price(price_id=subscription.price_id or "") if live else None
    if (
        subscription.status in UNPAID_START
        and billing_account(company_id=company_id).status == SubscriptionStatus.TRIALING
    ):
        # The trial goes on, on its plan; the subscription starts when it is paid.
        status = tier = None
    outcome = company_apply_card_subscription(
        company_id=company_id,
        state=CardSubscriptionState(
            customer_id=subscription.customer_id,
            subscription_id=subscription.id,
            tier=tier,
            status=status,
            current_period_end=subscription.current_period_end,
            cancel_at_period_end=subscription.cancel_at_period_end,
            state_at=state_at,
            live=live,
            reason=SUBSCRIPTION_ENDED if status and not live else "",
        ),
    )
    if outcome == CardApplied.SECOND_SUBSCRIPTION:
        message = (
            f"Company {company_id} has a second live card subscription {subscription.id} "
            "beside its current one: it may be billed twice; cancel one at Stripe."
        )
        logger.error(message)
        sentry_sdk.capture_message(message, level="error")
    return outcome
