"""Searches counted in memory between flushes: each search is one hash increment (Redis,
shared by every process) or one dict update (the embedded mode's local cache), never an
insert; beat's flush (every minute) adds the counts to SearchTermDay in bulk.

An entry is (company, day, role, term, filters): its searches and how many found nothing.
A flush renames the Redis hash before reading it, so searches counted meanwhile go into
a new hash and none is lost; a flush that failed leaves its hash to the next one.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import import_string
from django_redis.cache import RedisCache

BUFFER_KEY = "search:analytics"
FLUSHING = f"{BUFFER_KEY}:flushing:"
SEARCHES, ZERO = "n", "z"


@dataclass(frozen=True, slots=True)
class Entry:
    company_id: int
    day: date
    role: str
    term: str
    filters: str  # canonical JSON

    def field(self) -> str:
        return json.dumps(
            [self.company_id, self.day.isoformat(), self.role, self.term, self.filters],
            separators=(",", ":"),
        )

    @classmethod
    def from_field(cls, field: str) -> Entry:
        company_id, day, role, term, filters = json.loads(field)
        return cls(company_id, date.fromisoformat(day), role, term, filters)


def canonical_filters(filters: Mapping[str, Any]) -> str:
    return json.dumps({name: str(value) for name, value in filters.items()}, sort_keys=True)


Counts = dict[Entry, list[int]]  # [searches, zero results]


class SearchBuffer(Protocol):
    def add(self, entry: Entry, *, found_nothing: bool) -> None: ...

    def take(self) -> Counts: ...

    def done(self) -> None: ...


def _counted(pairs: Mapping[str, str] | Mapping[bytes, bytes]) -> Counts:
    counts: Counts = {}
    for raw_field, raw_value in pairs.items():
        field = raw_field.decode() if isinstance(raw_field, bytes) else raw_field
        kind, _, entry_field = field.partition(":")
        slot = counts.setdefault(Entry.from_field(entry_field), [0, 0])
        slot[0 if kind == SEARCHES else 1] += int(raw_value)
    return counts


class RedisSearchBuffer:
    def __init__(self) -> None:
        from django_redis import get_redis_connection

        self.redis = get_redis_connection("default")
        prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
        self.key = f"{prefix}:{BUFFER_KEY}" if prefix else BUFFER_KEY
        self.taken: list[str] = []

    def add(self, entry: Entry, *, found_nothing: bool) -> None:
        field = entry.field()
        pipe = self.redis.pipeline(transaction=False)
        pipe.hincrby(self.key, f"{SEARCHES}:{field}", 1)
        if found_nothing:
            pipe.hincrby(self.key, f"{ZERO}:{field}", 1)
        pipe.execute()

    def take(self) -> Counts:
        """Everything counted so far (and what an earlier, failed flush left)."""
        flushing = f"{self.key}:flushing:{uuid.uuid4().hex}"
        if self.redis.exists(self.key):
            self.redis.rename(self.key, flushing)
        self.taken = [
            key.decode() if isinstance(key, bytes) else key
            for key in self.redis.scan_iter(match=f"{self.key}:flushing:*")
        ]
        counts: Counts = {}
        for key in self.taken:
            for entry, (searches, zero) in _counted(self.redis.hgetall(key)).items():
                slot = counts.setdefault(entry, [0, 0])
                slot[0] += searches
                slot[1] += zero
        return counts

    def done(self) -> None:
        """The taken counts are written: forget them."""
        if self.taken:
            self.redis.delete(*self.taken)
        self.taken = []


class LocalSearchBuffer:
    """The embedded mode (one process): a dict in the local-memory cache, behind a lock."""

    _lock = threading.Lock()

    def add(self, entry: Entry, *, found_nothing: bool) -> None:
        field = entry.field()
        with self._lock:
            counts = cache.get(BUFFER_KEY) or {}
            counts[f"{SEARCHES}:{field}"] = counts.get(f"{SEARCHES}:{field}", 0) + 1
            if found_nothing:
                counts[f"{ZERO}:{field}"] = counts.get(f"{ZERO}:{field}", 0) + 1
            cache.set(BUFFER_KEY, counts, timeout=None)

    def take(self) -> Counts:
        with self._lock:
            taken = cache.get(BUFFER_KEY) or {}
            cache.delete(BUFFER_KEY)
            left = cache.get(FLUSHING) or {}
            for field, value in left.items():
                taken[field] = taken.get(field, 0) + value
            cache.set(FLUSHING, taken, timeout=None)
        return _counted(taken)

    def done(self) -> None:
        cache.delete(FLUSHING)


def search_buffer() -> SearchBuffer:
    """Redis when the cache is Redis, else the local cache."""
    if issubclass(import_string(settings.CACHES["default"]["BACKEND"]), RedisCache):
        return RedisSearchBuffer()
    return LocalSearchBuffer()
