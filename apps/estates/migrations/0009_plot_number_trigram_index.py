"""The plot list's ``?search=`` on PostgreSQL: a trigram index on the plot number (in the
case-folded form Django's ``icontains`` compares), so the substring match is an index
scan or'ed with the estate-id index, not a scan of every plot (nothing on SQLite).

Both GIN indexes on plots (this one and the search vector's) write each new plot into
the index at once (``fastupdate`` off): plots are written rarely and searched all day,
and a pending list (up to 4 MB, until a vacuum) is read in full by every search.
"""

from django.db import migrations

from apps.core.migration_postgres import postgres_only

FORWARD = """
CREATE INDEX estates_plot_number_trgm ON estates_plot
    USING gin (upper(plot_number::text) gin_trgm_ops) WITH (fastupdate = off);
ALTER INDEX estates_plot_search_vector_gin SET (fastupdate = off);
"""
BACKWARD = """
DROP INDEX IF EXISTS estates_plot_number_trgm;
ALTER INDEX estates_plot_search_vector_gin RESET (fastupdate);
"""


class Migration(migrations.Migration):
    dependencies = [("estates", "0008_merge_0007_list_order_indexes_0007_plot_search_vector")]

    operations = [postgres_only(FORWARD, BACKWARD)]
