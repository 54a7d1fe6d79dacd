"""Per-user versions of what authentication caches (the account, its tenants, its
memberships): any change to them bumps the user's version on commit, and an entry made
under an older version is never used again. The version is read in the same round trip
as the entry, so a warm request costs one cache call and no query.

A version is a random token (never a counter that could repeat after an eviction); a
missing version means nothing cached may be trusted.
"""

import uuid
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction

VERSION_TIMEOUT = 24 * 3600


def auth_version_key(user_id: int) -> str:
    return f"auth:ver:{user_id}"


def auth_version_new(user_id: int) -> str | None:
    """Start a version for a user who has none (first request, or evicted)."""
    key = auth_version_key(user_id)
    cache.add(key, uuid.uuid4().hex, VERSION_TIMEOUT)
    return cache.get(key)


def auth_versions_bump(user_ids: Iterable[int]) -> None:
    """Make every cached authentication entry of these users stale: at once, and again
    when the transaction commits (a request that read the rows before the commit may have
    cached them under the first new version)."""
    ids = set(user_ids)

    def bump() -> None:
        cache.set_many(
            {auth_version_key(user_id): uuid.uuid4().hex for user_id in ids}, VERSION_TIMEOUT
        )

    if ids:
        bump()
        transaction.on_commit(bump)
