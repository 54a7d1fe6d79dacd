"""JSON parsing that refuses oversized, malformed or pathological bodies with a 400.

DRF reads the body as a stream, so Django's DATA_UPLOAD_MAX_MEMORY_SIZE never applies to
API requests; the limit is enforced here. Deeply nested JSON makes ``json.loads`` raise
RecursionError, which DRF would let through as a 500. A body of tens of thousands of keys
parses fast but costs every later step (validation, the error naming them), so the keys
are counted while parsing and a body with more than any endpoint takes is refused here.

The body is decoded as the charset the request names, which must be one JSON is written
in (RFC 8259: UTF-8; UTF-16 and UTF-32 as its earlier editions allowed; ASCII and
Latin-1, which old clients name). Python's other codecs are refused (415) before
decoding: ``bz2_codec`` would inflate a kilobyte into gigabytes past the size check, and
punycode takes time growing with the square of the body. (apps.core.wsgi keeps Django
from reading the query string in such a charset.) A ``\ud800``-style escape that pairs
with nothing decodes to a lone surrogate, which is not text: nothing later could write
it back (an error naming the key would fail), so it is refused here.
"""

import codecs
import json
import re
from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError, UnsupportedMediaType
from rest_framework.parsers import JSONParser

from apps.core.errors import ErrorCode


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


class _TooManyKeys(Exception):
    """Raised from inside ``json.loads``; not a ValueError, so not taken for malformed JSON."""


def _counting_object_hook(limit: int) -> Any:
    """An ``object_pairs_hook`` that counts keys across every object of one body."""
    seen = 0

    def build_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal seen
        # Pairs, not distinct keys: a repeated key costs the parser as much as a new one.
        seen += len(pairs)
        if seen > limit:
            raise _TooManyKeys
        return dict(pairs)

    return build_object


# Python's names (codecs.lookup(...).name) of the charsets a JSON body may be written in.
JSON_CHARSETS = frozenset(
    {
        "utf-8",
        "utf-8-sig",
        "utf-16",
        "utf-16-le",
        "utf-16-be",
        "utf-32",
        "utf-32-le",
        "utf-32-be",
        "ascii",
        "iso8859-1",
    }
)

# Half of a surrogate pair: in the text only as a \u escape (or from a charset such as
# UTF-7); in a parsed string only when it pairs with nothing.
_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]|[\ud800-\udfff]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _json_charset(request: Any) -> str | None:
    """The charset the request's Content-Type names, if Python knows it (an unknown one
    is ignored, as Django does); UnsupportedMediaType if JSON is not written in it."""
    declared = request.content_params.get("charset") if request is not None else None
    if not declared:
        return None
    try:
        name = codecs.lookup(declared).name
    except LookupError:
        return None
    if name not in JSON_CHARSETS:
        raise UnsupportedMediaType(
            request.content_type,
            detail=f"JSON is not sent in {declared}: send UTF-8 (or UTF-16 or UTF-32).",
        )
    return declared


def is_json_charset(encoding: str) -> bool:
    """Whether ``encoding`` (a name Python may or may not know) is one JSON is sent in."""
    try:
        return codecs.lookup(encoding).name in JSON_CHARSETS
    except LookupError:
        return False


def _holds_lone_surrogate(data: Any) -> bool:
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if _LONE_SURROGATE.search(value):
                return True
        elif isinstance(value, dict):
            stack.extend(value)
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


class BoundedJSONParser(JSONParser):
    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: dict[str, Any] | None = None,
    ) -> Any:
        parser_context = parser_context or {}
        limit: int = settings.API_MAX_JSON_BODY_BYTES
        request = parser_context.get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > limit:
            raise self._too_large(limit)
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise self._too_large(limit)

        encoding = _json_charset(request) or settings.DEFAULT_CHARSET
        try:
            text = raw.decode(encoding)
        except (UnicodeError, ValueError) as exc:
            raise ParseError(
                f"The body is not valid {encoding} text.", code=ErrorCode.MALFORMED_JSON
            ) from exc
        max_keys: int = settings.API_MAX_JSON_KEYS
        try:
            data = json.loads(
                text,
                parse_constant=_reject_constant,
                object_pairs_hook=_counting_object_hook(max_keys),
            )
        except _TooManyKeys as exc:
            raise ParseError(
                f"The JSON body has more than {max_keys} fields.", code=ErrorCode.TOO_MANY_FIELDS
            ) from exc
        except RecursionError as exc:
            raise ParseError(
                "The JSON body is nested too deeply.", code=ErrorCode.MALFORMED_JSON
            ) from exc
        except ValueError as exc:
            raise ParseError(
                f"The body is not valid JSON: {exc}", code=ErrorCode.MALFORMED_JSON
            ) from exc
        if _SURROGATE.search(text) and _holds_lone_surrogate(data):
            raise ParseError(
                "The JSON body holds a \\u escape of half a surrogate pair, which is not text.",
                code=ErrorCode.MALFORMED_JSON,
            )
        return data

    @staticmethod
    def _too_large(limit: int) -> ParseError:
        return ParseError(
            f"The JSON body is larger than the {limit}-byte limit.", code=ErrorCode.BODY_TOO_LARGE
        )
