"""JWT pairs for the SPA: issuing them, single-use refresh tokens, and logging out.

Refresh tokens live in simplejwt's blacklist app: an OutstandingToken row when issued, a
BlacklistedToken row once used for a refresh or logged out. Access tokens are short-lived
and stateless; logging out records their id in RevokedAccessToken until they would have
expired anyway. The cache holds a marker in front of that table for every revoked token, and a flag
saying it holds them all, so that a check needs no query; the table decides whenever the
flag is missing, and the flag lives a minute, so a flush, eviction or outage cannot
bring a logged-out token back for longer than that (the process that revoked a token
while the cache was unreachable trusts no flag until it has reloaded the table).
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
# Present while the cache holds a marker for every revoked, unexpired token (loaded from
# the table, then kept by each revocation): "no marker" then means "not revoked" without
# a query. It lives briefly, so a marker lost to an eviction or written while the cache
# was unreachable is restored from the table within DENYLIST_LOADED_TIMEOUT.
DENYLIST_LOADED_KEY = "auth:revoked-access:loaded"
DENYLIST_LOADED_TIMEOUT = 60
# Set in a process whose revocation could not reach the cache: until it has loaded the
# table into the cache again, it trusts no "loaded" flag (and reloads the table).
_denylist_incomplete = False


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
    jti = payload[api_settings.JTI_CLAIM]
    _mark_revoked(jti, expires_at)
    if not cache.get(DENYLIST_KEY.format(jti=jti)):
        # The cache missed the marker: the "loaded" flag it may still hold is wrong now.
        global _denylist_incomplete
        _denylist_incomplete = True
        cache.delete(DENYLIST_LOADED_KEY)


def revocation_cache_keys(jti: str) -> list[str]:
    """The cache keys ``is_access_token_revoked`` reads, for a caller that fetches them
    together with its own in one round trip."""
    return [DENYLIST_KEY.format(jti=jti), DENYLIST_LOADED_KEY]


def revocation_guard(jti: str) -> tuple[str, str] | None:
    """For checking the revocation inside another atomic cache step: (the key that must be
    missing, the key that must be set) for the token to count as not revoked, or None
    when this process trusts no "loaded" flag (ask ``is_access_token_revoked``)."""
    if _denylist_incomplete:
        return None
    return DENYLIST_KEY.format(jti=jti), DENYLIST_LOADED_KEY


def is_access_token_revoked(jti: str, found: dict[str, Any] | None = None) -> bool:
    """Whether the access token with this id was logged out.

    ``found``: the values of ``revocation_cache_keys(jti)`` already fetched (else read
    here). A marker answers "revoked"; no marker while the denylist is loaded answers
    "not revoked"; anything else (the loaded flag expired, a flushed or unreachable cache)
    is answered by the table, which is then loaded into the cache again.
    """
    if found is None:
        found = cache.get_many(revocation_cache_keys(jti))
    if found.get(DENYLIST_KEY.format(jti=jti)):
        return True
    if found.get(DENYLIST_LOADED_KEY) and not _denylist_incomplete:
        return False
    return jti in _load_denylist()


def _load_denylist() -> set[str]:
    """Every revoked, unexpired token id, from the table, marked in the cache."""
    global _denylist_incomplete
    revoked = dict(
        RevokedAccessToken.objects.filter(expires_at__gt=timezone.now()).values_list(
            "jti", "expires_at"
        )
    )
    for jti, expires_at in revoked.items():
        _mark_revoked(jti, expires_at)
    cache.set(DENYLIST_LOADED_KEY, True, DENYLIST_LOADED_TIMEOUT)
    if cache.get(DENYLIST_LOADED_KEY):
        _denylist_incomplete = False
    return set(revoked)


def _mark_revoked(jti: str, expires_at: datetime) -> None:
    remaining = int((expires_at - timezone.now()).total_seconds())
    if remaining > 0:
        cache.set(DENYLIST_KEY.format(jti=jti), True, timeout=remaining + 1)
