"""On PostgreSQL, each saved search's query parsed once, in a generated column, so a
new plot's vector is matched against every saved search in one pass (nothing on
SQLite, which matches words in Python)."""

from django.db import migrations

FORWARD = """
ALTER TABLE search_savedsearch ADD COLUMN match_tsquery tsquery
    GENERATED ALWAYS AS (to_tsquery('simple'::regconfig, match_query)) STORED
"""
BACKWARD = "ALTER TABLE search_savedsearch DROP COLUMN IF EXISTS match_tsquery"


def _on_postgres(sql: str):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(_on_postgres(FORWARD), _on_postgres(BACKWARD))]
