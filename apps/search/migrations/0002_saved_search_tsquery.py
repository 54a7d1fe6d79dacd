"""On PostgreSQL, each saved search's query parsed once, in a generated column, so a
new plot's vector is matched against every saved search in one pass (nothing on
SQLite, which matches words in Python)."""

from django.db import migrations

from apps.core.migration_postgres import postgres_only

FORWARD = """
ALTER TABLE search_savedsearch ADD COLUMN match_tsquery tsquery
    GENERATED ALWAYS AS (to_tsquery('simple'::regconfig, match_query)) STORED
"""
BACKWARD = "ALTER TABLE search_savedsearch DROP COLUMN IF EXISTS match_tsquery"


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [postgres_only(FORWARD, BACKWARD)]
