"""Telling a database that is busy for a moment from one that is broken.

Only SQLite (the embedded default) gives up on a lock, after its busy timeout
(``SQLITE_BUSY_TIMEOUT``): that is answered 503 ``database_busy`` with Retry-After, never a
500. PostgreSQL's lock and serialization failures are handled by the services where they
can happen, so every other OperationalError stays an unexpected error.
"""

import sqlite3

from django.db import OperationalError

# "database is locked" and "database table is locked". Extended result codes
# (SQLITE_BUSY_SNAPSHOT, SQLITE_BUSY_TIMEOUT, ...) keep the primary code in the low byte.
_SQLITE_LOCK_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})


def is_database_busy(exc: BaseException | None) -> bool:
    """True when ``exc`` is SQLite refusing a statement because another connection holds
    the lock it needs (Django's OperationalError wrapping sqlite3's)."""
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    if not isinstance(cause, sqlite3.OperationalError):
        return False
    return (getattr(cause, "sqlite_errorcode", 0) & 0xFF) in _SQLITE_LOCK_CODES
