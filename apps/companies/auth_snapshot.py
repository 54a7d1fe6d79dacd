"""What authentication resolves for a signed-in user, cached: the account, the tenant for
the X-Company-ID asked for, and the token's revocation, fetched in one round trip.

An entry is used only while the user's auth version (apps.core.auth_versions) is the one
it was made under, and before ``valid_until`` (a trial or paid period ending turns the
tenant inactive with no write). Every change to the account, its memberships or their
companies bumps the version on commit (see receivers.py), so the next request resolves
afresh. The cache down reads as misses: everything is resolved from the database.

Each process also keeps the entries it used last (``recent_entry``). One of them is
trusted only inside the atomic step that counts the request against the rate limits,
which first checks that the user's auth version is still the entry's and the token is
not revoked (apps.usage.services.api_request_count_early): a warm request checks its
sign-in and its limits in one round trip. Should the check fail, nothing is counted and
the request is authenticated as above.
"""

from __future__ import annotations

import copy
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.cache import cache

from apps.accounts.selectors import is_access_token_revoked, revocation_cache_keys
from apps.core.auth_versions import auth_version_key, auth_version_new
from apps.core.tenancy import Tenant

ENTRY_TIMEOUT = 300
RECENT_ENTRIES = 4096


@dataclass(frozen=True, slots=True)
class AuthEntry:
    version: str
    user: Any
    tenant: Tenant | None
    valid_until: float | None


class RecentEntries:
    """A process's last used entries, at most ``size``, the least recently used dropped."""

    every: list[RecentEntries] = []

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()
        RecentEntries.every.append(self)

    def get(self, key: Any) -> Any:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: Any, entry: Any) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_recent = RecentEntries(RECENT_ENTRIES)


def recent_entry(user_id: int, header: str) -> AuthEntry | None:
    """The entry this process used last for the user and X-Company-ID, if not expired;
    to be trusted only once its version is confirmed (see the module's docstring)."""
    entry = _recent.get((user_id, header))
    if entry is None or (entry.valid_until is not None and entry.valid_until <= time.time()):
        return None
    # A copy of the account, so nothing one request does to it reaches another.
    return AuthEntry(entry.version, copy.copy(entry.user), entry.tenant, entry.valid_until)


def _remember(user_id: int, header: str, entry: AuthEntry) -> None:
    _recent.put((user_id, header), entry)


def forget_recent_entries() -> None:
    """Drop this process's recent entries, of users and of API keys (tests)."""
    for recent in RecentEntries.every:
        recent.clear()


def _entry_key(user_id: int, header: str) -> str:
    return f"auth:entry:{user_id}:{header}"


def cacheable_header(header: str) -> bool:
    # Only a well-formed company id names an entry; anything else is refused uncached.
    return not header or (header.isascii() and header.isdigit() and len(header) <= 18)


@dataclass
class AuthSnapshot:
    user_id: int
    jti: str
    header: str
    found: dict[str, Any]
    version: str | None
    entry: AuthEntry | None

    @classmethod
    def fetch(cls, *, user_id: int, jti: str, header: str) -> AuthSnapshot:
        if not cacheable_header(header):
            return cls(user_id, jti, header, cache.get_many(revocation_cache_keys(jti)), None, None)
        keys = [_entry_key(user_id, header), auth_version_key(user_id)]
        found = cache.get_many([*keys, *revocation_cache_keys(jti)])
        # Made before anything is resolved, so a change committed meanwhile bumps it.
        version = found.get(auth_version_key(user_id)) or auth_version_new(user_id)
        entry = found.get(_entry_key(user_id, header))
        usable = (
            isinstance(entry, AuthEntry)
            and version is not None
            and entry.version == version
            and (entry.valid_until is None or entry.valid_until > time.time())
        )
        if usable:
            _remember(user_id, header, entry)
        return cls(user_id, jti, header, found, version, entry if usable else None)

    def revoked(self) -> bool:
        return is_access_token_revoked(self.jti, found=self.found)

    def store(self, *, user: Any, tenant: Tenant | None, valid_until: datetime | None) -> None:
        """Keep what was just resolved, under the version read before resolving it: a
        change committed meanwhile has bumped it, so this entry is never used."""
        version = self.version
        if version is None:
            return  # no cache to keep it in
        until = valid_until.timestamp() if valid_until is not None else None
        if until is not None and until <= time.time():
            until = None  # already inactive: nothing left to turn
        entry = AuthEntry(version=version, user=user, tenant=tenant, valid_until=until)
        cache.set(_entry_key(self.user_id, self.header), entry, ENTRY_TIMEOUT)
        _remember(self.user_id, self.header, entry)
