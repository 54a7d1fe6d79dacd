"""Search answers kept per company and query, until the catalogue changes.

An answer (its page, count and facets) is cached under the company's current version of
the catalogue read scope (apps.estates.read_scopes, bumped by every estate, plot and
sale write when it commits) and the exact URL (its host too: the page links carry it),
so the next search after a write computes afresh. Every member of a company sees the
same plots, so members share entries. Its ETag is the key's digest: ``If-None-Match``
is answered 304 before anything is read. With the cache down there is no version: the
search runs uncached, without an ETag.
"""

import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

from apps.core.read_versions import READ_CACHE_TIMEOUT, read_version
from apps.estates.read_scopes import CATALOGUE


@dataclass(frozen=True, slots=True)
class SearchCacheEntry:
    key: str
    etag: str

    def get(self) -> dict[str, Any] | None:
        return cache.get(self.key)

    def set(self, body: dict[str, Any]) -> None:
        cache.set(self.key, body, READ_CACHE_TIMEOUT)


def search_cache_entry(*, company_id: int, url: str) -> SearchCacheEntry | None:
    """Where the answer to ``url`` for the company is kept now; None without a cache."""
    version = read_version(CATALOGUE, company_id)
    if version is None:
        return None
    digest = hashlib.sha256(repr((company_id, version, url)).encode()).hexdigest()
    return SearchCacheEntry(key=f"plotsearch:{company_id}:{digest}", etag=f'"{digest[:40]}"')
