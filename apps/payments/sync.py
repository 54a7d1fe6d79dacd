"""Reconciling every card subscription with the gateway: the nightly safety net for a
webhook that never arrived. Safe at any time: a subscription fetched now is the newest
state there is."""

from dataclasses import dataclass, field

from django.utils import timezone

from apps.companies.selectors import (
    billing_account,
    tier_for_stripe_price,
)
from apps.payments.gateway import GatewaySubscription, get_gateway
from apps.payments.subscriptions import (
    ENDED_AT_GATEWAY,
    STATUS_FROM_GATEWAY,
    card_subscription_apply,
    company_for_gateway_object,
)


@dataclass(frozen=True, slots=True)
class SyncChange:
    company_id: int
    subscription_id: str
    before: str  # "tier/status" as we had it
    after: str  # as the gateway has it


@dataclass
class SyncSummary:
    seen: int = 0
    unknown: int = 0  # subscriptions of no company we know
    changes: list[SyncChange] = field(default_factory=list)


def _company_for(subscription: GatewaySubscription) -> int | None:
    return company_for_gateway_object(
        {
            "object": "subscription",
            "id": subscription.id,
            "customer": subscription.customer_id,
            "metadata": subscription.metadata,
        }
    )


def subscriptions_sync(*, company_id: int | None = None, dry_run: bool = False) -> SyncSummary:
    """Walk every subscription at the gateway (auto-paginated) and bring its company in
    line; report what differed."""
    summary = SyncSummary()
    for subscription in get_gateway().list_subscriptions():
        owner = _company_for(subscription)
        if owner is None:
            summary.unknown += 1
            continue
        if company_id is not None and owner != company_id:
            continue
        summary.seen += 1
        account = billing_account(company_id=owner)
        if account.stripe_subscription_id not in ("", subscription.id):
            # Another subscription of the company's: its current one decides. One still
            # live is reported (the company may be billed twice).
            if subscription.status not in ENDED_AT_GATEWAY and not dry_run:
                card_subscription_apply(
                    company_id=owner, subscription=subscription, state_at=timezone.now()
                )
            continue
        before = f"{account.tier}/{account.status}"
        status = STATUS_FROM_GATEWAY.get(subscription.status, account.status)
        if dry_run:
            tier = account.tier
            if subscription.status not in ENDED_AT_GATEWAY:
                tier = tier_for_stripe_price(price_id=subscription.price_id or "") or tier
            after = f"{tier}/{status}"
            if after != before:
                summary.changes.append(SyncChange(owner, subscription.id, before, after))
            continue
        card_subscription_apply(
            company_id=owner, subscription=subscription, state_at=timezone.now()
        )
        after_account = billing_account(company_id=owner)
        after = f"{after_account.tier}/{after_account.status}"
        if after != before:
            summary.changes.append(SyncChange(owner, subscription.id, before, after))
    return summary
