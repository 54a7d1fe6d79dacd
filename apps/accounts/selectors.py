"""Read-side of accounts for other apps: plain data, never ORM rows."""

from dataclasses import dataclass

from apps.accounts.models import User, normalize_email
from apps.accounts.tokens import is_access_token_revoked

__all__ = ["UserIdentity", "is_access_token_revoked", "user_id_for_email", "user_identity"]


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
