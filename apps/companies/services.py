"""Company services: signup, profile, plan changes, memberships and API keys."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from apps.accounts.selectors import user_identity
from apps.accounts.services import (
    SignupPurpose,
    account_register,
    user_require_verified_email,
)
from apps.companies import signals
from apps.companies.api_key_cache import api_key_versions_bump
from apps.companies.api_keys import generate_key, matches, split_prefix
from apps.companies.errors import ErrorCode
from apps.companies.models import (
    ApiKey,
    Company,
    Membership,
    Plan,
    SubscriptionChange,
    SubscriptionStatus,
    Tier,
)
from apps.companies.selectors import CompanyLimits, company_limits
from apps.core.auth_versions import auth_versions_bump
from apps.core.errors import ConflictError, NotFoundError, ValidationFailed
from apps.core.events import publish
from apps.core.phones import phone_clean, phone_clean_data
from apps.core.roles import MEMBERSHIP_ROLES, Role
from apps.core.row_changes import queryset_delete_recorded, queryset_update_recorded
from apps.core.writes import model_update

# last_used_at is written at most this often per key, not on every call.
API_KEY_TOUCH_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class SignupResult:
    # Both None when the email already had an account: nothing was created and the
    # owner was emailed. The signup endpoint answers both cases alike.
    company_id: int | None
    user_id: int | None


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "company"
    if not Company.objects.filter(slug=base).exists():
        return base
    return f"{base}-{secrets.token_hex(3)}"


def _apply_plan_limits(company: Company, plan: Plan) -> None:
    company.max_plots = plan.included_plots
    company.max_agents = plan.included_agents
    company.max_api_calls_daily = plan.daily_api_calls


@transaction.atomic
def company_signup(
    *,
    company_name: str,
    email: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    billing_email: str = "",
) -> SignupResult:
    """Create an account (to verify by email) and its company on a Starter trial.

    When the email already has an account nothing is created and the owner is emailed
    instead (they can sign in and create a company with ``company_create``).
    """
    registration = account_register(
        email=email,
        password=password,
        purpose=SignupPurpose.COMPANY,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
    )
    if registration.user_id is None:
        return SignupResult(company_id=None, user_id=None)
    company = company_create(
        owner_user_id=registration.user_id,
        name=company_name,
        billing_email=billing_email,
        phone=phone,
        require_verified_owner=False,
    )
    return SignupResult(company_id=company.pk, user_id=registration.user_id)


@transaction.atomic
def company_create(
    *,
    owner_user_id: int,
    name: str,
    billing_email: str = "",
    phone: str = "",
    address: str = "",
    require_verified_owner: bool = True,
) -> Company:
    """A new company on a Starter trial, with ``owner_user_id`` as its first admin.

    A signed-in person creating another company must have verified their address; only
    signup itself creates a company for an address still to be verified.
    """
    phone = phone_clean(phone)
    if require_verified_owner:
        user_require_verified_email(user_id=owner_user_id)
    owner = user_identity(user_id=owner_user_id)
    if owner is None:
        raise NotFoundError("No such account.")
    plan = Plan.objects.get(code=Tier.STARTER)
    company = Company(
        name=name.strip(),
        slug=_unique_slug(name),
        billing_email=billing_email or owner.email,
        phone=phone,
        address=address,
        subscription_tier=Tier.STARTER,
        subscription_status=SubscriptionStatus.TRIALING,
        trial_ends_at=timezone.now() + timedelta(days=settings.TRIAL_DAYS),
    )
    _apply_plan_limits(company, plan)
    try:
        with transaction.atomic():
            company.save()
    except IntegrityError:  # a concurrent signup took the slug
        company.slug = f"{company.slug[:50]}-{secrets.token_hex(3)}"
        company.save()
    _record_history(company)
    Membership.objects.create(
        company=company,
        user_id=owner.id,
        role=Role.COMPANY_ADMIN,
        first_name=owner.first_name,
        last_name=owner.last_name,
    )
    publish(
        signals.company_created,
        sender=Company,
        company_id=company.pk,
        tier=company.subscription_tier,
        trial_ends_at=company.trial_ends_at,
        admin_user_id=owner.id,
    )
    return company


COMPANY_PROFILE_FIELDS = ("name", "billing_email", "phone", "address")


@transaction.atomic
def company_update_profile(*, company_id: int, data: dict[str, str]) -> Company:
    """Change the company's own details; plan, status and limits are not among them."""
    company = Company.objects.select_for_update().get(pk=company_id)
    before = {name: getattr(company, name) for name in COMPANY_PROFILE_FIELDS}
    company, changed = model_update(
        instance=company, fields=COMPANY_PROFILE_FIELDS, data=phone_clean_data(data)
    )
    if changed:
        publish(
            signals.company_settings_changed,
            sender=Company,
            company_id=company.pk,
            fields=[
                name for name in COMPANY_PROFILE_FIELDS if getattr(company, name) != before[name]
            ],
        )
    return company


def _record_history(company: Company) -> None:
    SubscriptionChange.objects.create(
        company=company,
        tier=company.subscription_tier,
        status=company.subscription_status,
        changed_at=timezone.now(),
    )


@transaction.atomic
def company_change_subscription(
    *,
    company_id: int,
    tier: str | None = None,
    status: str | None = None,
    reason: str = "",
) -> Company:
    """Move a company to another tier and/or status; limits follow the tier's plan.

    ``reason`` says why a company is suspended (billing suspends with
    ``SUSPENDED_FOR_UNPAID_INVOICES`` and reactivates only what it suspended).
    """
    company = Company.objects.select_for_update().get(pk=company_id)
    old_tier, old_status = company.subscription_tier, company.subscription_status
    if tier is not None:
        if tier not in Tier.values:
            raise ValidationFailed(details={"tier": [f"Unknown tier {tier!r}."]})
        company.subscription_tier = tier
        _apply_plan_limits(company, Plan.objects.get(code=tier))
    if status is not None:
        if status not in SubscriptionStatus.values:
            raise ValidationFailed(details={"status": [f"Unknown status {status!r}."]})
        company.subscription_status = status
        company.suspension_reason = reason if status == SubscriptionStatus.SUSPENDED else ""
    company.save()
    if (old_tier, old_status) != (company.subscription_tier, company.subscription_status):
        _record_history(company)
    if old_status != SubscriptionStatus.SUSPENDED == company.subscription_status:
        publish(signals.company_suspended, sender=Company, company_id=company.pk, reason=reason)
    if old_status == SubscriptionStatus.SUSPENDED != company.subscription_status:
        publish(signals.company_reactivated, sender=Company, company_id=company.pk)
    if (old_tier, old_status) != (company.subscription_tier, company.subscription_status):
        publish(
            signals.subscription_changed,
            sender=Company,
            company_id=company.pk,
            old_tier=old_tier,
            new_tier=company.subscription_tier,
            old_status=old_status,
            new_status=company.subscription_status,
        )
    return company


# --- card subscriptions (kept by the payments gateway) ------------------------------------


@dataclass(frozen=True, slots=True)
class CardSubscriptionState:
    """A company's subscription as the payment gateway (Stripe) reports it."""

    customer_id: str
    subscription_id: str
    tier: str | None  # None: the gateway's price is none of our plans; the tier stays
    status: str | None  # one of SubscriptionStatus; None: the status stays
    current_period_end: datetime | None
    cancel_at_period_end: bool
    state_at: datetime  # when the gateway said so (its event's creation time)
    live: bool = True  # False: the subscription has ended (cancelled, expired)
    reason: str = ""  # why, when the state suspends the company


class CardApplied(StrEnum):
    APPLIED = "applied"
    STALE = "stale"  # older than the state last applied: nothing changed
    NOT_CURRENT = "not_current"  # an ended subscription other than the company's
    SECOND_SUBSCRIPTION = "second_subscription"  # another live one: not adopted
    UNKNOWN_STATUS = "unknown_status"  # a status the gateway added since: nothing changed


@transaction.atomic
def company_apply_card_subscription(
    *, company_id: int, state: CardSubscriptionState
) -> CardApplied:
    """Bring the company in line with its card subscription.

    A company follows one subscription, its current one. Nothing changes when ``state``
    is older than what was last applied (events arrive out of order), when it reports
    the end of a subscription that is not the current one, or when it reports another
    live subscription while the current one is live (a second checkout: our staff must
    cancel one; the caller reports it). An ended current subscription is forgotten, so
    the company can subscribe again or be billed offline.
    """
    company = Company.objects.select_for_update().get(pk=company_id)
    current = company.stripe_subscription_id
    applied_at = company.gateway_state_at
    if applied_at is not None and (
        state.state_at < applied_at
        # On a tie (one second), the end of a subscription outranks news of it live.
        or (state.state_at == applied_at and state.live and current != state.subscription_id)
    ):
        return CardApplied.STALE
    if current and current != state.subscription_id:
        return CardApplied.SECOND_SUBSCRIPTION if state.live else CardApplied.NOT_CURRENT
    if not current and not state.live:
        return CardApplied.NOT_CURRENT
    company_change_subscription(
        company_id=company_id, tier=state.tier, status=state.status, reason=state.reason
    )
    company = Company.objects.get(pk=company_id)
    company.stripe_customer_id = company.stripe_customer_id or state.customer_id
    company.stripe_subscription_id = state.subscription_id if state.live else ""
    company.current_period_end = state.current_period_end
    company.cancel_at_period_end = state.cancel_at_period_end and state.live
    company.subscription_ends_at = (
        state.current_period_end if company.cancel_at_period_end else None
    )
    company.gateway_state_at = state.state_at
    company.save(
        update_fields=[
            "stripe_customer_id",
            "stripe_subscription_id",
            "current_period_end",
            "cancel_at_period_end",
            "subscription_ends_at",
            "gateway_state_at",
            "updated_at",
        ]
    )
    return CardApplied.APPLIED


@transaction.atomic
def company_link_gateway_customer(*, company_id: int, customer_id: str) -> None:
    """Remember the company's customer at the gateway (made once, reused after)."""
    queryset_update_recorded(
        Company.objects.filter(pk=company_id, stripe_customer_id=""),
        company_field="pk",
        stripe_customer_id=customer_id,
        updated_at=timezone.now(),
    )


@transaction.atomic
def company_record_cancellation(*, company_id: int, reason: str) -> None:
    """Keep why a company cancelled (churn analysis needs it); cancelling again without
    a reason keeps the one given before."""
    if reason.strip():
        queryset_update_recorded(
            Company.objects.filter(pk=company_id),
            company_field="pk",
            cancellation_reason=reason.strip()[:500],
            updated_at=timezone.now(),
        )


# --- memberships ---------------------------------------------------------------------------


def _other_admins_exist(membership: Membership) -> bool:
    return (
        Membership.objects.filter(company_id=membership.company_id, role=Role.COMPANY_ADMIN)
        .exclude(pk=membership.pk)
        .exists()
    )


@transaction.atomic
def membership_add(*, company_id: int, user_id: int, role: str) -> Membership:
    """Give a user a role in a company (one membership per company)."""
    if role not in MEMBERSHIP_ROLES:
        raise ValidationFailed(details={"role": [f"Unknown role {role!r}."]})
    try:
        with transaction.atomic():
            return Membership.objects.create(company_id=company_id, user_id=user_id, role=role)
    except IntegrityError as exc:
        raise ConflictError(
            "This user is already a member of the company.", code=ErrorCode.ALREADY_MEMBER
        ) from exc


def _locked_membership(company_id: int, membership_id: int) -> Membership:
    # Lock every admin row of the company too, so two concurrent demotions cannot both
    # see "another admin exists" and leave the company without one.
    list(
        Membership.objects.select_for_update()
        .filter(company_id=company_id, role=Role.COMPANY_ADMIN)
        .values_list("pk", flat=True)
    )
    return Membership.objects.for_company(company_id).get_for(membership_id, lock=True)


@transaction.atomic
def membership_ensure(
    *, company_id: int, user_id: int, role: str, first_name: str = "", last_name: str = ""
) -> None:
    """Make the user a member with ``role`` unless they already are a member (any role).

    ``first_name`` and ``last_name`` are how the company knows the person; the caller
    passes names the company recorded or the person gave it, never the account's.
    """
    if role not in MEMBERSHIP_ROLES:
        raise ValidationFailed(details={"role": [f"Unknown role {role!r}."]})
    Membership.objects.get_or_create(
        company_id=company_id,
        user_id=user_id,
        defaults={"role": role, "first_name": first_name, "last_name": last_name},
    )


@transaction.atomic
def membership_set_active(*, company_id: int, user_id: int, role: str, active: bool) -> None:
    """Suspend (``active=False``) or restore the user's membership if it holds ``role``.

    Takes effect on the member's next request: the tenant is resolved from this row.
    """
    queryset_update_recorded(
        Membership.objects.filter(company_id=company_id, user_id=user_id, role=role),
        is_active=active,
        updated_at=timezone.now(),
    )
    auth_versions_bump([user_id])


@transaction.atomic
def membership_end_role(*, company_id: int, user_id: int, role: str) -> None:
    """Remove the user's membership if it holds ``role`` (e.g. a deleted client's)."""
    queryset_delete_recorded(
        Membership.objects.filter(company_id=company_id, user_id=user_id, role=role)
    )


def company_lock(*, company_id: int) -> CompanyLimits:
    """Lock the company row until the caller's transaction ends, and return its limits.

    Callers that check a plan limit and then act on it hold this lock, so two concurrent
    requests cannot both pass the check.
    """
    Company.objects.select_for_update().filter(pk=company_id).values_list("pk").get()
    return company_limits(company_id=company_id)


def _revoke_keys_created_by(company_id: int, user_id: int) -> int:
    """An admin who leaves the role takes the company's keys they made with them: a key
    must not outlive the authority that created it."""
    now = timezone.now()
    keys = ApiKey.objects.filter(
        company_id=company_id, created_by_id=user_id, revoked_at__isnull=True
    )
    # A bulk update sends no post_save: the cached keys are made stale here.
    api_key_versions_bump(list(keys.values_list("prefix", flat=True)))
    return queryset_update_recorded(keys, revoked_at=now, updated_at=now)


@transaction.atomic
def membership_change_role(*, company_id: int, membership_id: int, role: str) -> Membership:
    """Change a member's role; the company always keeps at least one admin."""
    if role not in MEMBERSHIP_ROLES:
        raise ValidationFailed(details={"role": [f"Unknown role {role!r}."]})
    membership = _locked_membership(company_id, membership_id)
    if (
        membership.role == Role.COMPANY_ADMIN
        and role != Role.COMPANY_ADMIN
        and not _other_admins_exist(membership)
    ):
        raise ConflictError("A company must keep at least one admin.", code=ErrorCode.LAST_ADMIN)
    if membership.role == Role.COMPANY_ADMIN != role:
        _revoke_keys_created_by(company_id, membership.user_id)
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    return membership


@transaction.atomic
def membership_remove(*, company_id: int, membership_id: int) -> None:
    """Remove a member; the last admin cannot be removed."""
    membership = _locked_membership(company_id, membership_id)
    if membership.role == Role.COMPANY_ADMIN and not _other_admins_exist(membership):
        raise ConflictError("A company must keep at least one admin.", code=ErrorCode.LAST_ADMIN)
    _revoke_keys_created_by(company_id, membership.user_id)
    membership.delete()


# --- API keys --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CreatedApiKey:
    api_key: ApiKey
    raw_key: str


@transaction.atomic
def api_key_create(*, company_id: int, name: str, created_by_id: int | None) -> CreatedApiKey:
    """Create a key; the raw key is returned here once and never stored."""
    generated = generate_key()
    api_key = ApiKey.objects.create(
        company_id=company_id,
        name=name,
        prefix=generated.prefix,
        key_hash=generated.key_hash,
        created_by_id=created_by_id,
    )
    return CreatedApiKey(api_key=api_key, raw_key=generated.raw)


@transaction.atomic
def api_key_revoke(*, company_id: int, api_key_id: int) -> ApiKey:
    """Revoke a key; revoking a revoked key changes nothing."""
    api_key = ApiKey.objects.for_company(company_id).get_for(api_key_id, lock=True)
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at", "updated_at"])
    return api_key


def api_key_authenticate(*, raw_key: str) -> ApiKey | None:
    """The active key matching ``raw_key`` (with its company), or None."""
    prefix = split_prefix(raw_key)
    if prefix is None:
        return None
    api_key = ApiKey.objects.select_related("company").filter(prefix=prefix).first()
    if api_key is None or not api_key.is_active or not matches(raw_key, api_key.key_hash):
        return None
    api_key.last_used_at = api_key_touch(api_key_id=api_key.pk, last_used_at=api_key.last_used_at)
    return api_key


def api_key_touch(*, api_key_id: int, last_used_at: datetime | None) -> datetime | None:
    """Note that the key was used now, at most once per API_KEY_TOUCH_INTERVAL (one
    UPDATE, no read); returns the last-used time the key now has."""
    now = timezone.now()
    if last_used_at is not None and now - last_used_at < API_KEY_TOUCH_INTERVAL:
        return last_used_at
    ApiKey.objects.filter(pk=api_key_id).update(last_used_at=now)
    return now
