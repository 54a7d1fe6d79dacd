"""Events held between flushes, so recording one never writes to the database.

With Redis (production): one RPUSH of the event's JSON on a list shared by every
process; the flush (beat, every minute) renames the list before reading it, so events
pushed meanwhile start a new list and none is lost, and a flush that failed leaves its
list to the next one. Each event carries its own uuid (unique in the table), so a list
read twice is still inserted once.

Without Redis (the embedded mode, one process): a bounded deque in this process's
memory. Past ANALYTICS_LOCAL_BUFFER_MAX the oldest events are dropped (and counted);
the request that finds ANALYTICS_LOCAL_FLUSH_EVENTS waiting, or the oldest older than
ANALYTICS_LOCAL_FLUSH_SECONDS, writes them after its response has gone out.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections import deque
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from django_redis.cache import RedisCache

from apps.core.outage_log import OncePerInterval

logger = logging.getLogger(__name__)

BUFFER_KEY = "analytics:events"
_redis_outage = OncePerInterval()


@dataclass(frozen=True, slots=True)
class Event:
    company_id: int
    kind: str
    occurred_at: datetime
    user_id: int | None = None
    role: str = ""
    object_id: int | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    event_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def dumps(self) -> str:
        values = asdict(self)
        values["occurred_at"] = self.occurred_at.isoformat()
        return json.dumps(values, separators=(",", ":"))

    @classmethod
    def loads(cls, raw: str | bytes) -> Event:
        values = json.loads(raw)
        values["occurred_at"] = datetime.fromisoformat(values["occurred_at"])
        return cls(**values)


class EventBuffer(Protocol):
    def add(self, event: Event) -> None: ...

    def take(self) -> list[Event]: ...

    def done(self) -> None: ...


class RedisEventBuffer:
    def __init__(self) -> None:
        from django_redis import get_redis_connection

        self.redis = get_redis_connection("default")
        prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
        self.key = f"{prefix}:{BUFFER_KEY}" if prefix else BUFFER_KEY
        self.taken: list[str] = []

    def add(self, event: Event) -> None:
        try:
            self.redis.rpush(self.key, event.dumps())
        except Exception:
            # Activity figures are worth less than the request: drop the event.
            if _redis_outage.due():
                logger.warning("Redis unreachable: analytics events are being dropped")

    def take(self) -> list[Event]:
        """Everything pushed so far (and what an earlier, failed flush left)."""
        if self.redis.exists(self.key):
            self.redis.rename(self.key, f"{self.key}:flushing:{uuid.uuid4().hex}")
        self.taken = [
            key.decode() if isinstance(key, bytes) else key
            for key in self.redis.scan_iter(match=f"{self.key}:flushing:*")
        ]
        return [Event.loads(raw) for key in self.taken for raw in self.redis.lrange(key, 0, -1)]

    def done(self) -> None:
        """The taken events are written: forget them."""
        if self.taken:
            self.redis.delete(*self.taken)
        self.taken = []


class LocalEventBuffer:
    """The embedded mode's buffer: this process's memory, behind a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: deque[Event] = deque(maxlen=settings.ANALYTICS_LOCAL_BUFFER_MAX)
        self._taken: list[Event] = []
        self._oldest_at: float | None = None
        self.dropped = 0

    def add(self, event: Event) -> None:
        with self._lock:
            if len(self._events) == self._events.maxlen:
                self.dropped += 1
            self._events.append(event)
            if self._oldest_at is None:
                self._oldest_at = time.monotonic()

    def take(self) -> list[Event]:
        with self._lock:
            self._taken.extend(self._events)
            self._events.clear()
            self._oldest_at = None
            return list(self._taken)

    def done(self) -> None:
        with self._lock:
            self._taken = []

    def due(self) -> bool:
        """Whether a request's end should write the buffer now."""
        with self._lock:
            if not self._events:
                return False
            waited = time.monotonic() - (self._oldest_at or time.monotonic())
            return (
                len(self._events) >= settings.ANALYTICS_LOCAL_FLUSH_EVENTS
                or waited >= settings.ANALYTICS_LOCAL_FLUSH_SECONDS
            )

    def clear(self) -> None:
        with self._lock:
            self._events.clear()
            self._taken = []
            self._oldest_at = None
            self.dropped = 0


_local: LocalEventBuffer | None = None
_local_lock = threading.Lock()


def uses_redis() -> bool:
    return issubclass(import_string(settings.CACHES["default"]["BACKEND"]), RedisCache)


def local_buffer() -> LocalEventBuffer:
    global _local
    with _local_lock:
        if _local is None:
            _local = LocalEventBuffer()
        return _local


def event_buffer() -> EventBuffer:
    """Redis when the cache is Redis, else this process's memory."""
    return RedisEventBuffer() if uses_redis() else local_buffer()
