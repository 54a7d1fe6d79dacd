"""Read-side of accounts for other apps: plain data, never ORM rows."""

from collections.abc import Iterable
from dataclasses import dataclass

from apps.accounts.models import BILLING_STAFF_GROUP, User, normalize_email
from apps.accounts.tokens import (
    is_access_token_revoked,
    revocation_cache_keys,
    revocation_guard,
)

__all__ = [
    "UserContact",
    "UserDisplay",
    "UserIdentity",
    "any_email_verified",
    "billing_staff_user_ids",
    "is_access_token_revoked",
    "revocation_cache_keys",
    "revocation_guard",
    "user_contacts_for",
    "user_display_for",
    "user_id_for_email",
    "user_identity",
]


@dataclass(frozen=True, slots=True)
class UserIdentity:
    """What another app may know of an account: for its owner's own use, never shown to a
    company (a company shows the names it recorded itself)."""

    id: int
    email: str
    first_name: str
    last_name: str
    email_verified: bool
    is_staff: bool


def user_id_for_email(*, email: str) -> int | None:
    return User.objects.filter(email=normalize_email(email)).values_list("pk", flat=True).first()


def user_identity(*, user_id: int) -> UserIdentity | None:
    """The active account with this id, or None."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return None
    return UserIdentity(
        id=user.pk,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        email_verified=user.email_verified,
        is_staff=user.is_staff or user.is_superuser,
    )


@dataclass(frozen=True, slots=True)
class UserDisplay:
    """How an account appears to a company it belongs to: its sign-in address and the
    names its owner gave (for people who joined of their own accord, like marketers)."""

    email: str
    full_name: str


def user_display_for(*, user_ids: Iterable[int]) -> dict[int, UserDisplay]:
    """Display data for many accounts in one query (missing ids are left out)."""
    rows = User.objects.filter(pk__in=set(user_ids)).values_list(
        "pk", "email", "first_name", "last_name"
    )
    return {
        pk: UserDisplay(email=email, full_name=f"{first} {last}".strip() or email)
        for pk, email, first, last in rows
    }


def any_email_verified(*, user_ids: Iterable[int]) -> bool:
    """Whether at least one of these accounts has proved its address."""
    return User.objects.filter(pk__in=set(user_ids), email_verified_at__isnull=False).exists()


@dataclass(frozen=True, slots=True)
class UserContact:
    """Where to reach an active account: for messages to its owner, never shown to others."""

    email: str
    phone: str  # E.164, or "" when none was given
    first_name: str


def user_contacts_for(*, user_ids: Iterable[int]) -> dict[int, UserContact]:
    """Contacts of many active accounts in one query (inactive and missing ids left out)."""
    rows = User.objects.filter(pk__in=set(user_ids), is_active=True).values_list(
        "pk", "email", "phone", "first_name"
    )
    return {pk: UserContact(email, phone, first) for pk, email, phone, first in rows}


def billing_staff_user_ids() -> list[int]:
    """Our own billing team: active staff in the billing staff group."""
    return list(
        User.objects.filter(is_active=True, is_staff=True, groups__name=BILLING_STAFF_GROUP)
        .values_list("pk", flat=True)
        .distinct()
    )
