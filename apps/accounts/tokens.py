"""JWT pairs for the SPA: issuing them, single-use refresh tokens, and logging out.

Refresh tokens live in simplejwt's blacklist app: an OutstandingToken row when issued, a
BlacklistedToken row once used for a refresh or logged out. Access tokens are short-lived
and stateless; logging out records their id in RevokedAccessToken until they would have
expired anyway. The cache holds a marker in front of that table so that most checks of a
revoked token need no query, but the table decides: a cache flush, eviction or outage
cannot bring a logged-out token back.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import datetime_from_epoch

from apps.accounts.models import RevokedAccessToken, User

DENYLIST_KEY = "auth:revoked-access:{jti}"


@dataclass(frozen=True, slots=True)
class TokenPair:
    access: str
    refresh: str


def issue_token_pair(user: Any) -> TokenPair:
    refresh = RefreshToken.for_user(user)
    return TokenPair(access=str(refresh.access_token), refresh=str(refresh))


def claim_refresh_token(token: RefreshToken, *, user: User) -> None:
    """Blacklist ``token`` by inserting its BlacklistedToken row; IntegrityError if it is taken.

    simplejwt's ``blacklist()`` is a get_or_create, so any number of concurrent callers
    all "succeed" with one token. A plain INSERT against the one-to-one key on the
    outstanding token lets exactly one win, on every database.
    """
    outstanding, _ = OutstandingToken.objects.get_or_create(
        jti=token[api_settings.JTI_CLAIM],
        # Only for a token issued before its row was kept (or whose row was removed):
        # for_user() records every token it issues.
        defaults={
            "user": user,
            "token": str(token),
            "created_at": datetime_from_epoch(token["iat"]),
            "expires_at": datetime_from_epoch(token["exp"]),
        },
    )
    with transaction.atomic():  # a savepoint, so the loser's error leaves the caller usable
        BlacklistedToken.objects.create(token=outstanding)


def revoke_access_token(payload: dict[str, Any]) -> None:
    """Refuse this access token from now until it expires, whatever happens to the cache."""
    expires_at = datetime_from_epoch(payload["exp"])
    if expires_at <= timezone.now():
        return
    RevokedAccessToken.objects.bulk_create(
        [
            RevokedAccessToken(
                jti=payload[api_settings.JTI_CLAIM],
                user_id=payload.get(api_settings.USER_ID_CLAIM),
                expires_at=expires_at,
            )
        ],
        ignore_conflicts=True,
    )
    # Set before the caller's transaction commits: should it roll back, the marker refuses
    # a token its owner asked to log out, which errs on the safe side.
    _mark_revoked(payload[api_settings.JTI_CLAIM], expires_at)


def is_access_token_revoked(jti: str) -> bool:
    """Whether the access token with this id was logged out.

    A cache marker answers "revoked" at once; anything else (no marker, a flushed or
    unreachable cache, which django-redis reads as a miss) is answered by the database.
    "Not revoked" is never cached: a revocation written while the cache was down would
    otherwise stay hidden behind a cached "no" once the cache came back.
    """
    if cache.get(DENYLIST_KEY.format(jti=jti)):
        return True
    expires_at = (
        RevokedAccessToken.objects.filter(jti=jti).values_list("expires_at", flat=True).first()
    )
    if expires_at is None:
        return False
    _mark_revoked(jti, expires_at)
    return True


def _mark_revoked(jti: str, expires_at: datetime) -> None:
    remaining = int((expires_at - timezone.now()).total_seconds())
    if remaining > 0:
        cache.set(DENYLIST_KEY.format(jti=jti), True, timeout=remaining + 1)
