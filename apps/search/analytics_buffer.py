"""Searches counted in memory between flushes: each search is one hash increment (Redis,
shared by every process) or one dict update (the embedded mode's local cache), never an
insert; beat's flush (every minute) adds the counts to SearchTermDay in bulk.

An entry is (company, day, role, term, filters): its searches, how many found nothing,
and the results they found, summed.
A flush renames the Redis hash before reading it, so searches counted meanwhile go into
a new hash and none is lost; a flush that failed leaves its hash to the next one.
"""

from __future__ import annotations

import json
import logging
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

logger = logging.getLogger(__name__)

BUFFER_KEY = "search:analytics"
FLUSHING = f"{BUFFER_KEY}:flushing:"
SEARCHES, ZERO, RESULTS = "n", "z", "r"
_SLOT = {SEARCHES: 0, ZERO: 1, RESULTS: 2}


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


Counts = dict[Entry, list[int]]  # [searches, zero results, results found]


class SearchBuffer(Protocol):
    def add(self, entry: Entry, *, results: int) -> None: ...

    def take(self) -> Counts: ...

    def done(self) -> None: ...


def _counted(pairs: Mapping[str, str] | Mapping[bytes, bytes]) -> Counts:
    counts: Counts = {}
    for raw_field, raw_value in pairs.items():
        field = raw_field.decode() if isinstance(raw_field, bytes) else raw_field
        kind, _, entry_field = field.partition(":")
        if kind not in _SLOT:  # not ours (a later version's?): left out, not a failed flush
            logger.warning("Search buffer field of unknown kind %r left out", kind)
            continue
        slot = counts.setdefault(Entry.from_field(entry_field), [0, 0, 0])
        slot[_SLOT[kind]] += int(raw_value)
    return counts


def _increments(entry: Entry, results: int) -> dict[str, int]:
    field = entry.field()
    increments = {f"{SEARCHES}:{field}": 1}
    if results == 0:
        increments[f"{ZERO}:{field}"] = 1
    else:
        increments[f"{RESULTS}:{field}"] = results
    return increments


class RedisSearchBuffer:
    def __init__(self) -> None:
        from django_redis import get_redis_connection

        self.redis = get_redis_connection("default")
        prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
        self.key = f"{prefix}:{BUFFER_KEY}" if prefix else BUFFER_KEY
        self.taken: list[str] = []

    def add(self, entry: Entry, *, results: int) -> None:
        pipe = self.redis.pipeline(transaction=False)
        for field, amount in _increments(entry, results).items():
            pipe.hincrby(self.key, field, amount)
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
            for entry, numbers in _counted(self.redis.hgetall(key)).items():
                slot = counts.setdefault(entry, [0, 0, 0])
                for index, number in enumerate(numbers):
                    slot[index] += number
        return counts

    def done(self) -> None:
        """The taken counts are written: forget them."""
        if self.taken:
            self.redis.delete(*self.taken)
        self.taken = []


class LocalSearchBuffer:
    """The embedded mode (one process): a dict in the local-memory cache, behind a lock."""

    _lock = threading.Lock()

    def add(self, entry: Entry, *, results: int) -> None:
        with self._lock:
            counts = cache.get(BUFFER_KEY) or {}
            for field, amount in _increments(entry, results).items():
                counts[field] = counts.get(field, 0) + amount
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
