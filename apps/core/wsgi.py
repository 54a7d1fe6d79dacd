"""The WSGI handler gunicorn and runserver serve (config/wsgi.py): Django's, with a
request that takes the charset of its Content-Type only if JSON is sent in it.

Django decodes the query string in the Content-Type's charset, and does so while it makes
the request, before any middleware runs: ``charset=bz2_codec`` or ``rot13`` on any URL
with a query string answered a plain-text 500 (not a text encoding), and a compressing
codec would be applied to it. Here the query string of such a request is read in
DEFAULT_CHARSET, and its body, if any, is refused by the JSON parser (415).
"""

from typing import Any

from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.utils.http import parse_header_parameters

from apps.core.parsers import is_json_charset


class Request(WSGIRequest):
    def _set_content_type_params(self, meta: Any) -> None:
        self.content_type, self.content_params = parse_header_parameters(
            meta.get("CONTENT_TYPE", "")
        )
        charset = self.content_params.get("charset")
        if charset and is_json_charset(charset):
            self.encoding = charset


class Handler(WSGIHandler):
    request_class = Request
