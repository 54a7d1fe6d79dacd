"""The plot list's ``?search=`` on PostgreSQL: a trigram index on the plot number (in the
case-folded form Django's ``icontains`` compares), so the substring match is an index
scan or'ed with the estate-id index, not a scan of every plot (nothing on SQLite)."""

from django.db import migrations

from apps.core.migration_postgres import postgres_only

FORWARD = """
CREATE INDEX estates_plot_number_trgm ON estates_plot
    USING gin (upper(plot_number::text) gin_trgm_ops)
"""
BACKWARD = "DROP INDEX IF EXISTS estates_plot_number_trgm"


class Migration(migrations.Migration):
    dependencies = [("estates", "0008_merge_0007_list_order_indexes_0007_plot_search_vector")]

    operations = [postgres_only(FORWARD, BACKWARD)]
