"""Reporting an outage that every request runs into, once per interval per process.

While Redis (or another shared service) is down, each request meets the same failure; a
log line, let alone a traceback, per request would bury everything else in the log. Each
place that can see an outage keeps one ``OncePerInterval`` and reports only when it says
so; every process reports for itself (there is nothing shared to agree through while
the shared service is down).
"""

from __future__ import annotations

import logging
import sys
import threading
import time

OUTAGE_LOG_INTERVAL = 60.0
_every_instance: list[OncePerInterval] = []


class OncePerInterval:
    """Yes at most once per ``seconds`` in this process (thread-safe); the first time, yes."""

    def __init__(self, seconds: float = OUTAGE_LOG_INTERVAL) -> None:
        self.seconds = seconds
        self._lock = threading.Lock()
        self._last: float | None = None
        _every_instance.append(self)

    def due(self) -> bool:
        with self._lock:
            now = time.monotonic()
            if self._last is not None and now - self._last < self.seconds:
                return False
            self._last = now
            return True

    def forget(self) -> None:
        """The next ``due()`` says yes (tests; and after the service is back)."""
        with self._lock:
            self._last = None

    def pretend_elapsed(self) -> None:
        """As if the last yes were one interval ago (tests)."""
        with self._lock:
            if self._last is not None:
                self._last -= self.seconds


def forget_outage_reports() -> None:
    """Every reporter says yes again (tests: each starts as a fresh process would)."""
    for reports in list(_every_instance):
        reports.forget()


class OutageLogger:
    """Stands in for the logger of a django-redis cache that ignores Redis errors.

    Told to log the errors it ignores, django-redis calls ``logger.exception(...)`` inside
    the ``except`` of every failing cache call: a full traceback per call, several per
    request. This writes one line, naming the error, without a traceback, once per
    interval per process.
    """

    def __init__(self, name: str, message: str, seconds: float = OUTAGE_LOG_INTERVAL) -> None:
        self.logger = logging.getLogger(name)
        self.message = message
        self.reports = OncePerInterval(seconds)

    def exception(self, msg: str, *args: object, **kwargs: object) -> None:
        if not self.reports.due():
            return
        error = sys.exc_info()[1]
        cause = error.__cause__ if error is not None and error.__cause__ else error
        self.logger.error("%s: %s: %s", self.message, type(cause).__name__, cause)
