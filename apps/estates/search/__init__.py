"""Plot search: full-text over plots and their estates, facets, and the seam where
another engine (OpenSearch, Elasticsearch) would plug in (see docs/search.md)."""
