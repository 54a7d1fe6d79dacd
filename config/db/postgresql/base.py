"""Django's PostgreSQL backend with a cheaper health check for kept connections,
prepared statements for the queries a caller asks for, and timestamps loaded by
psycopg's own loader.

With ``CONN_HEALTH_CHECKS``, Django sends ``SELECT 1`` on a kept connection before the
first query of every request: a round trip to the server (0.13 ms here) on each request
that reads the database, however busy the connection is. A connection a request
used without error moments ago is as healthy as the check would find it, so the check is
made only when the connection has been idle for ``HEALTH_CHECK_AFTER_IDLE`` seconds (the
connections a firewall, a server restart or ``idle_session_timeout`` closes are the idle
ones). A connection lost in that window fails that request's query as it would without
the check, and is closed after it (Django closes a connection whose query failed).
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from django.conf import settings
from django.db.backends.postgresql import base, operations
from psycopg import errors
from psycopg.postgres import types
from psycopg.pq import Format

TIMESTAMPTZ_OID = types["timestamptz"].oid
# psycopg's default loader (before Django registers its own on each connection).
UTC_SESSION_TIMESTAMPTZ_LOADER = psycopg.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)

HEALTH_CHECK_AFTER_IDLE = 5.0  # seconds
PREPARE_ONLY_WHEN_ASKED = 2**31 - 1


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor: Any, sql: str, params: Any) -> str | None:
        if isinstance(cursor, PreparingCursor):
            # Django reads a client-binding cursor's query, which this one has not: the
            # SQL with its parameters, for the query log and the tests counting queries.
            try:
                return self.compose_sql(sql, params)
            except errors.DataError:
                return None
        return super().last_executed_query(cursor, sql, params)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
    # When a request (or task) that used the connection last ended without an error.
    last_healthy_at: float | None = None

    def connect(self) -> None:
        self.last_healthy_at = None
        super().connect()

    def close_if_unusable_or_obsolete(self) -> None:
        # Called when each request starts and ends. ``health_check_done`` still set means
        # the connection was used since the last call: a request using it is ending.
        if self.connection is not None and self.health_check_done and not self.errors_occurred:
            self.last_healthy_at = time.monotonic()
        super().close_if_unusable_or_obsolete()

    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is not None
            and not self.health_check_done
            and self.last_healthy_at is not None
            and time.monotonic() - self.last_healthy_at < HEALTH_CHECK_AFTER_IDLE
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    # --- prepared statements ------------------------------------------------------------
    # Django binds parameters on the client and never prepares (a connection pooler may
    # sit between it and the server, and not all of the ORM's SQL can be prepared). A
    # hot read whose SQL is known to prepare asks for it: its plan is made once per kept
    # connection, not on every request (the purchase list's join spent twice as long being
    # planned as being run).
    preparing = False

    def get_connection_params(self) -> dict[str, Any]:
        params = super().get_connection_params()
        if params.get("prepare_threshold") is None:
            # psycopg prepares nothing with no threshold, even when asked: a threshold
            # no count reaches, so that only the queries asked for are prepared.
            params["prepare_threshold"] = PREPARE_ONLY_WHEN_ASKED
        return params

    @contextmanager
    def prepared_statements(self, enabled: bool = True) -> Iterator[None]:
        """Queries run inside are prepared on the server (by their SQL) and reused (with
        ``enabled`` False: not, inside a block that prepares). Off everywhere with
        ``DB_PREPARED_STATEMENTS=false`` (behind a pooler that shares server sessions
        between clients)."""
        before = self.preparing
        self.preparing = enabled and settings.DB_PREPARED_STATEMENTS
        try:
            yield
        finally:
            self.preparing = before

    def create_cursor(self, name: str | None = None) -> Any:
        if self.preparing and name is None:
            # Django's own cursor set-up, with this cursor class.
            factory, self.connection.cursor_factory = (
                self.connection.cursor_factory,
                PreparingCursor,
            )
            try:
                cursor = super().create_cursor(name)
            finally:
                self.connection.cursor_factory = factory
        else:
            cursor = super().create_cursor(name)
        if settings.USE_TZ and self.timezone_name == "UTC":
            # Django loads timestamps with its own loader (a subclass of psycopg's Python
            # one) and then sets their zone to UTC; the session's zone is UTC, so
            # psycopg's own loader (in C in its binary build) loads the same values: a
            # list page's timestamps in half the time.
            cursor.adapters.register_loader(TIMESTAMPTZ_OID, UTC_SESSION_TIMESTAMPTZ_LOADER)
        return cursor


class PreparingCursor(base.ServerBindingCursor):
    """A cursor binding on the server, which prepares each statement it runs (psycopg
    keeps the connection's last 100 and reuses them by their SQL)."""

    def execute(
        self, query: Any, params: Any = None, *, prepare: bool | None = None, **kw: Any
    ) -> Any:
        return super().execute(query, params, prepare=True if prepare is None else prepare, **kw)
