"""Migrations that only PostgreSQL runs (full-text columns, triggers, extensions): a
no-op on the embedded SQLite database, which works without them."""

from collections.abc import Callable
from typing import Any

from django.db import migrations


def _on_postgres(sql: str) -> Callable[[Any, Any], None]:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)  # None: several statements at once

    return run


def postgres_only(forward: str, backward: str) -> migrations.RunPython:
    """Run ``forward`` (``backward`` when unapplied) on PostgreSQL only."""
    return migrations.RunPython(_on_postgres(forward), _on_postgres(backward))
