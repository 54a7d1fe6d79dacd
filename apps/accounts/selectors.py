"""Read-side of accounts for other apps: plain data, never ORM rows."""

from apps.accounts.models import User, normalize_email
from apps.accounts.tokens import is_access_token_revoked

__all__ = ["is_access_token_revoked", "user_id_for_email"]


def user_id_for_email(*, email: str) -> int | None:
    return User.objects.filter(email=normalize_email(email)).values_list("pk", flat=True).first()
