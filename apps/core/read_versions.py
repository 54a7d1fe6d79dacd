"""Versions of a company's read models, for cache keys that a write makes unreachable.

Each cached read (a listing page, a count, the plot counts) is keyed with the version of
its scope for the company. A write bumps the version when its transaction commits, so
the very next read misses and computes afresh (the version is bumped both when
the write is made and when it commits); the stale entries simply expire. A new
version is a random token, never a counter, so a version lost from the cache (evicted,
Redis restarted) can never come back as one already used.

The cache being down reads as no version (every read computes afresh, uncached).
"""

import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")

# Cached reads live this long at most, whatever happens to the versions.
READ_CACHE_TIMEOUT = 300
_VERSION_TIMEOUT = 7 * 24 * 3600


def _key(scope: str, company_id: int) -> str:
    return f"readver:{scope}:{company_id}"


def read_version(scope: str, company_id: int) -> str | None:
    """The company's current version of ``scope``; None when the cache cannot keep one."""
    key = _key(scope, company_id)
    version = cache.get(key)
    if version is None:
        cache.add(key, uuid.uuid4().hex, _VERSION_TIMEOUT)
        version = cache.get(key)
    return version


def read_version_key(scope: str, company_id: int) -> str:
    """The cache key holding the version, for a caller that reads it with its own keys in
    one round trip (then ``read_version_remember`` it on the request)."""
    return _key(scope, company_id)


def read_version_remember(request: Any, scope: str, company_id: int, version: str) -> None:
    """Keep a version read for this request, so its other reads of the scope use it."""
    memo = getattr(request, "_read_versions", None)
    if memo is None:
        memo = request._read_versions = {}
    memo[scope, company_id] = version


def read_version_for(request: Any, scope: str, company_id: int) -> str | None:
    """``read_version``, read at most once per request."""
    memo = getattr(request, "_read_versions", None) or {}
    version = memo.get((scope, company_id))
    if version is None:
        version = read_version(scope, company_id)
        if version is not None:
            read_version_remember(request, scope, company_id, version)
    return version


# ``read_early``'s answer for a key no read of this request fetched.
NOT_READ_EARLY = object()


def read_early_remember(request: Any, found: dict[str, Any]) -> None:
    """Keep cache values (None: absent) read for this request ahead of the reads that
    use them, so those find them without another round trip."""
    memo = getattr(request, "_read_early", None)
    if memo is None:
        memo = request._read_early = {}
    memo.update(found)


def read_early(request: Any, key: str) -> Any:
    """The value ``read_early_remember`` kept for ``key`` (None: it was absent), or
    NOT_READ_EARLY."""
    return (getattr(request, "_read_early", None) or {}).get(key, NOT_READ_EARLY)


def read_version_bump(scope: str, company_id: int) -> None:
    """Make every cached read of ``scope`` for the company stale: at once, and again when
    the transaction commits (a read made before the commit may have been cached under the
    first new version)."""

    def bump() -> None:
        cache.set(_key(scope, company_id), uuid.uuid4().hex, _VERSION_TIMEOUT)

    bump()
    transaction.on_commit(bump)


def cached_under_versions(
    name: str, company_id: int, scopes: Sequence[str], compute: Callable[[], T]
) -> T:
    """``compute()``'s result for the company, kept in the cache while the company's
    versions of every one of ``scopes`` stay the ones it was computed under: the versions
    and the value are read in one round trip. The cache down: computed every time."""
    value_key = f"readcache:{name}:{company_id}"
    version_keys = [_key(scope, company_id) for scope in scopes]
    found = cache.get_many([value_key, *version_keys])
    versions = tuple(
        found.get(key) or read_version(scope, company_id)
        for scope, key in zip(scopes, version_keys, strict=True)
    )
    if None in versions:
        return compute()
    kept = found.get(value_key)
    if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == versions:
        return kept[1]
    value = compute()
    cache.set(value_key, (versions, value), READ_CACHE_TIMEOUT)
    return value


# Values kept in this process's memory by ``kept_in_process``: the most recently used.
PROCESS_KEPT = 512
_process_kept: OrderedDict[tuple[str, int, str], Any] = OrderedDict()
_process_kept_lock = threading.Lock()


def kept_in_process(name: str, company_id: int, version: str | None, compute: Callable[[], T]) -> T:
    """``compute()``'s result for the company, kept in this process's memory under
    ``version`` (of the scope it depends on, as this request read it): a warm read costs no
    round trip, and a write, which changes the version, makes it unreachable. For small
    values only (the last PROCESS_KEPT are kept). No version (the cache down): computed."""
    if version is None:
        return compute()
    key = (name, company_id, version)
    with _process_kept_lock:
        if key in _process_kept:
            _process_kept.move_to_end(key)
            return _process_kept[key]
    value = compute()
    with _process_kept_lock:
        _process_kept[key] = value
        while len(_process_kept) > PROCESS_KEPT:
            _process_kept.popitem(last=False)
    return value
