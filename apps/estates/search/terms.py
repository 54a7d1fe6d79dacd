"""What a typed search becomes: its words, and the PostgreSQL prefix query made of them.

Only word characters are kept, so nothing the user types (quotes, operators, NUL bytes,
backslashes) reaches the text-search parser as syntax.
"""

import re

# Words of a query beyond this are ignored: a longer query is a paste, not a search.
MAX_TERMS = 8
_WORD = re.compile(r"[^\W_]+")


def search_terms(text: str) -> list[str]:
    """The query's distinct words, lower-cased, in order (at most MAX_TERMS)."""
    terms: list[str] = []
    for word in _WORD.findall(text.lower()):
        if word not in terms:
            terms.append(word)
    return terms[:MAX_TERMS]


def prefix_tsquery(text: str) -> str:
    """``to_tsquery`` input matching every word as a prefix ('lek':* & 'gard':*), so
    results come as the user types; '' for a query without words."""
    return " & ".join(f"'{term}':*" for term in search_terms(text))


def normalized_term(text: str) -> str:
    """The query as analytics counts it: its words, lower-cased, single-spaced."""
    return " ".join(search_terms(text))
