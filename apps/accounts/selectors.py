"""Read-side of accounts for other apps: plain data, never ORM rows."""

from dataclasses import dataclass

from apps.accounts.models import User, normalize_email
from apps.accounts.tokens import is_access_token_revoked

__all__ = ["UserSummary", "is_access_token_revoked", "user_id_for_email", "user_summary"]


@dataclass(frozen=True, slots=True)
class UserSummary:
    id: int
    email: str
    full_name: str
    is_active: bool


def user_summary(*, user_id: int) -> UserSummary | None:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return None
    return UserSummary(
        id=user.pk, email=user.email, full_name=user.get_full_name(), is_active=user.is_active
    )


def user_id_for_email(*, email: str) -> int | None:
    return User.objects.filter(email=normalize_email(email)).values_list("pk", flat=True).first()
