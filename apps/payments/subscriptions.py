"""Card subscriptions at the gateway: starting one (Checkout), changing plan, cancelling,
and the portal where a company updates its card.

A company's tier and limits change only when the gateway confirms (its webhook, or the
nightly sync), never on the request that asked for the change.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.db import transaction

from apps.companies.selectors import (
    SubscriptionStatus,
    billing_account,
    stripe_price_for_tier,
    tier_for_stripe_price,
)
from apps.companies.services import (
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

# The gateway's subscription statuses, in ours.
STATUS_FROM_GATEWAY = {
    "active": SubscriptionStatus.ACTIVE,
    "trialing": SubscriptionStatus.TRIALING,
    "past_due": SubscriptionStatus.PAST_DUE,
    "unpaid": SubscriptionStatus.SUSPENDED,
    "paused": SubscriptionStatus.SUSPENDED,
    "incomplete": SubscriptionStatus.PAST_DUE,
    "incomplete_expired": SubscriptionStatus.CANCELLED,
    "canceled": SubscriptionStatus.CANCELLED,
}


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
    account = billing_account(company_id=company_id)
    if account.stripe_subscription_id and account.status not in (
        SubscriptionStatus.CANCELLED,
        SubscriptionStatus.SUSPENDED,
    ):
        raise ConflictError(
            "The company already pays by card: change its plan instead.",
            code=ErrorCode.ALREADY_SUBSCRIBED,
        )
    price_id = _price(tier)
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
    status: str | None = None,
    reason: str = "",
) -> bool:
    """Bring the company in line with its card subscription as the gateway reports it at
    ``state_at``; an older report than the last applied changes nothing. ``status``
    overrides the one the gateway's status maps to (an ended subscription suspends)."""
    status = status or STATUS_FROM_GATEWAY.get(subscription.status)
    if status is None:
        logger.warning("Unknown subscription status %r from the gateway", subscription.status)
        return False
    tier = tier_for_stripe_price(price_id=subscription.price_id or "")
    return company_apply_card_subscription(
        company_id=company_id,
        state=CardSubscriptionState(
            customer_id=subscription.customer_id,
            subscription_id=subscription.id,
            tier=tier,
            status=status,
            current_period_end=subscription.current_period_end,
            cancel_at_period_end=subscription.cancel_at_period_end,
            state_at=state_at,
            reason=reason,
        ),
    )
