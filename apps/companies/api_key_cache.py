"""What authentication resolves for a company API key, cached: the key's id, company and
hash, and the tenant it acts as, under the key's version.

The version (``auth:kver:<prefix>``) is bumped on commit by any write to the key
(revoking it) or to its company (tier, status, limits), see receivers.py; the entry and
the version are read in one round trip, so a warm request asks the database nothing
(but for noting the key's use, at most once a minute). The presented key is checked
against the cached hash on every request. As for signed-in users, each process keeps
the entries it used last and trusts one only inside the step that counts the request,
which checks the version first (one round trip in all). The cache down reads as misses.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db import transaction

from apps.companies.auth_snapshot import ENTRY_TIMEOUT, RECENT_ENTRIES, RecentEntries
from apps.core.auth_versions import VERSION_TIMEOUT
from apps.core.tenancy import Tenant


@dataclass(frozen=True, slots=True)
class ApiKeyEntry:
    version: str
    api_key_id: int
    company_id: int
    key_hash: str
    tenant: Tenant
    valid_until: float | None  # the tenant turns inactive by itself then
    last_used_at: float | None

    def usable(self, version: str | None) -> bool:
        return (
            version is not None
            and self.version == version
            and (self.valid_until is None or self.valid_until > time.time())
        )


def api_key_version_key(prefix: str) -> str:
    return f"auth:kver:{prefix}"


def _entry_key(prefix: str) -> str:
    return f"auth:key:{prefix}"


_recent = RecentEntries(RECENT_ENTRIES)


def recent_api_key_entry(prefix: str) -> ApiKeyEntry | None:
    """The entry this process used last for the key, to be trusted only once its version
    is confirmed (see the module's docstring)."""
    entry = _recent.get(prefix)
    if entry is None or (entry.valid_until is not None and entry.valid_until <= time.time()):
        return None
    return entry


@dataclass
class ApiKeyLookup:
    prefix: str
    version: str | None
    entry: ApiKeyEntry | None

    @classmethod
    def fetch(cls, prefix: str) -> ApiKeyLookup:
        keys = [_entry_key(prefix), api_key_version_key(prefix)]
        found = cache.get_many(keys)
        version = found.get(keys[1])
        if version is None:
            # Made before anything is resolved, so a change committed meanwhile bumps it.
            cache.add(keys[1], uuid.uuid4().hex, VERSION_TIMEOUT)
            version = cache.get(keys[1])
        entry = found.get(keys[0])
        usable = isinstance(entry, ApiKeyEntry) and entry.usable(version)
        if usable:
            _recent.put(prefix, entry)
        return cls(prefix, version, entry if usable else None)

    def store(
        self,
        *,
        api_key_id: int,
        company_id: int,
        key_hash: str,
        tenant: Tenant,
        valid_until: datetime | None,
        last_used_at: datetime | None,
    ) -> None:
        """Keep what was just resolved under the version read before resolving it."""
        if self.version is None:
            return
        until = valid_until.timestamp() if valid_until is not None else None
        if until is not None and until <= time.time():
            until = None  # already inactive: nothing left to turn
        entry = ApiKeyEntry(
            version=self.version,
            api_key_id=api_key_id,
            company_id=company_id,
            key_hash=key_hash,
            tenant=tenant,
            valid_until=until,
            last_used_at=last_used_at.timestamp() if last_used_at else None,
        )
        cache.set(_entry_key(self.prefix), entry, ENTRY_TIMEOUT)
        _recent.put(self.prefix, entry)


def api_key_versions_bump(prefixes: list[str]) -> None:
    """Make the cached entries of these keys stale: at once and again on commit (a request
    that read the rows before the commit may have cached them under the first new one)."""

    def bump() -> None:
        cache.set_many(
            {api_key_version_key(prefix): uuid.uuid4().hex for prefix in prefixes},
            VERSION_TIMEOUT,
        )

    if prefixes:
        bump()
        transaction.on_commit(bump)
