"""Prepared statements for hot reads, where the database can prepare them (see
config/db/postgresql); elsewhere (SQLite) queries run as usual."""

from contextlib import AbstractContextManager, nullcontext

from django.db import connection


def prepared_statements(enabled: bool = True) -> AbstractContextManager[None]:
    """Queries run inside are prepared on the server and their plans reused by later
    requests on the same connection (``enabled`` False: not, inside a block that
    prepares)."""
    prepare = getattr(connection, "prepared_statements", None)
    return prepare(enabled) if prepare is not None else nullcontext()
