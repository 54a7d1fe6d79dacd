"""Full-text search over plots on PostgreSQL (nothing on SQLite, which searches simply).

Each plot keeps a weighted vector of its number and its estate's name (A), location,
state and LGA (B) and description (C), in a column the model does not declare: triggers
keep it current when the plot is written or its estate changes, and a GIN index serves
the searches. pg_trgm compares misspelt words with the company's estate names and
locations.
"""

from django.db import migrations

from apps.core.migration_postgres import postgres_only

FORWARD = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Words as a query splits them (terms.py): runs of letters and digits, so "A-002" is
-- "a" and "002" (the parser alone would make "-002" a signed number).
CREATE FUNCTION estates_search_words(p_text text) RETURNS tsvector
LANGUAGE sql IMMUTABLE AS $$
    SELECT to_tsvector('simple', regexp_replace(coalesce(p_text, ''), '[^[:alnum:]]+', ' ', 'g'))
$$;

CREATE FUNCTION estates_plot_search_vector(p_number text, p_estate_id bigint)
RETURNS tsvector LANGUAGE sql STABLE AS $$
    SELECT setweight(estates_search_words(p_number), 'A')
        || setweight(estates_search_words(e.name), 'A')
        || setweight(estates_search_words(concat_ws(' ', e.location, e.state, e.lga)), 'B')
        || setweight(estates_search_words(e.description), 'C')
    FROM estates_estate e WHERE e.id = p_estate_id
$$;

CREATE FUNCTION estates_plot_search_vector_set() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector := estates_plot_search_vector(NEW.plot_number, NEW.estate_id);
    RETURN NEW;
END
$$;

CREATE FUNCTION estates_estate_search_vectors_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.name, NEW.location, NEW.state, NEW.lga, NEW.description)
        IS DISTINCT FROM (OLD.name, OLD.location, OLD.state, OLD.lga, OLD.description) THEN
        UPDATE estates_plot
           SET search_vector = estates_plot_search_vector(plot_number, estate_id)
         WHERE estate_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$;

ALTER TABLE estates_plot ADD COLUMN search_vector tsvector;
UPDATE estates_plot SET search_vector = estates_plot_search_vector(plot_number, estate_id);

CREATE TRIGGER estates_plot_search_vector
    BEFORE INSERT OR UPDATE OF plot_number, estate_id ON estates_plot
    FOR EACH ROW EXECUTE FUNCTION estates_plot_search_vector_set();
CREATE TRIGGER estates_estate_search_vectors
    AFTER UPDATE ON estates_estate
    FOR EACH ROW EXECUTE FUNCTION estates_estate_search_vectors_refresh();

CREATE INDEX estates_plot_search_vector_gin ON estates_plot USING gin (search_vector);
"""

BACKWARD = """
DROP TRIGGER IF EXISTS estates_estate_search_vectors ON estates_estate;
DROP TRIGGER IF EXISTS estates_plot_search_vector ON estates_plot;
ALTER TABLE estates_plot DROP COLUMN IF EXISTS search_vector;
DROP FUNCTION IF EXISTS estates_estate_search_vectors_refresh();
DROP FUNCTION IF EXISTS estates_plot_search_vector_set();
DROP FUNCTION IF EXISTS estates_plot_search_vector(text, bigint);
DROP FUNCTION IF EXISTS estates_search_words(text);
"""


class Migration(migrations.Migration):
    dependencies = [("estates", "0006_phones_in_e164")]

    operations = [postgres_only(FORWARD, BACKWARD)]
