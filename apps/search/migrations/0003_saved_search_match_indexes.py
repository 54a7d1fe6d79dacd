"""Matching a new plot reads only the saved searches it can match, by index.

On PostgreSQL each saved search's words (taken from its stored tsquery, so exactly what
it matches) are kept in a generated array with a GIN index over the searches asking to
be told: a new plot's words and all their prefixes then find, by ``<@``, every search
whose words all start one of them (and those without words). Everywhere, a partial
index over the same searches by company and place (state, LGA, status), the filters most
searches carry. The GIN index takes each new search at once (``fastupdate`` off): a
pending list would be read in full by every new plot's matching.
"""

from django.db import migrations, models

from apps.core.migration_postgres import postgres_only

FORWARD = """
CREATE FUNCTION search_tsquery_words(q tsquery) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT replace(m[1], '''''', '''')), '{}')
    FROM regexp_matches(q::text, '''((?:[^'']|'''')*)''', 'g') AS m
$$;

ALTER TABLE search_savedsearch ADD COLUMN match_words text[]
    GENERATED ALWAYS AS (search_tsquery_words(to_tsquery('simple'::regconfig, match_query)))
    STORED;

CREATE INDEX saved_search_notify_words ON search_savedsearch USING gin (match_words)
    WITH (fastupdate = off) WHERE notify;
"""

BACKWARD = """
ALTER TABLE search_savedsearch DROP COLUMN IF EXISTS match_words;
DROP FUNCTION IF EXISTS search_tsquery_words(tsquery);
"""


class Migration(migrations.Migration):
    dependencies = [("search", "0002_saved_search_tsquery")]

    operations = [
        postgres_only(FORWARD, BACKWARD),
        migrations.AddIndex(
            model_name="savedsearch",
            index=models.Index(
                condition=models.Q(notify=True),
                fields=["company", "state", "lga", "status"],
                name="saved_search_notify_place",
            ),
        ),
    ]
