"""JWT pairs for the SPA, and revocation of access tokens at logout.

Refresh tokens are blacklisted in the database (simplejwt's blacklist app). Access tokens
are short-lived and stateless, so at logout their id goes on a denylist in the shared
cache until they would have expired anyway.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.cache import cache
from rest_framework_simplejwt.tokens import RefreshToken

DENYLIST_KEY = "auth:revoked-access:{jti}"


@dataclass(frozen=True, slots=True)
class TokenPair:
    access: str
    refresh: str


def issue_token_pair(user: Any) -> TokenPair:
    refresh = RefreshToken.for_user(user)
    return TokenPair(access=str(refresh.access_token), refresh=str(refresh))


def revoke_access_token(payload: dict[str, Any]) -> None:
    remaining = int(payload["exp"] - datetime.now(tz=UTC).timestamp())
    if remaining > 0:
        cache.set(DENYLIST_KEY.format(jti=payload["jti"]), True, timeout=remaining + 1)


def is_access_token_revoked(jti: str) -> bool:
    return bool(cache.get(DENYLIST_KEY.format(jti=jti)))
