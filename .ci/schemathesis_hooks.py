"""Loaded into Schemathesis by .ci/fuzz (SCHEMATHESIS_HOOKS); not part of the product.

CPython 3.11 (this project's 3.11.7 among them) keeps the AST constructor's recursion depth
in state every thread shares, so two threads inside ``ast.parse`` at once can fail with
"SystemError: AST constructor recursion depth mismatch" (python/cpython#106905).
Hypothesis parses source files to describe its lambdas, and Schemathesis's ``--workers``
are threads: without this, a concurrent run fails now and then with an error of the tool's,
not the API's. One lock around ``ast.parse`` serialises only that; requests stay concurrent.
"""

import ast
import threading

_parse = ast.parse
_parse_lock = threading.Lock()


def _serialised_parse(*args, **kwargs):  # type: ignore[no-untyped-def]
    with _parse_lock:
        return _parse(*args, **kwargs)


ast.parse = _serialised_parse
