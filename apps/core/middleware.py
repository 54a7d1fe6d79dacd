"""Middleware shared by every app."""

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from apps.core.database import is_database_busy
from apps.core.errors import ErrorCode
from apps.core.exception_handler import error_body
from apps.core.views import database_busy

logger = logging.getLogger(__name__)


class ApiNoStoreMiddleware:
    """``Cache-Control: no-store`` on every /api/ response, errors and unknown paths included.

    API answers are one company's data for one caller; no browser or proxy cache should keep
    them. A view that sets its own Cache-Control is left alone. The admin and the health
    probes already send never-cache headers, and static files should be cached.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path_info.startswith("/api/") and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
        return response


class UrlLengthMiddleware:
    """An /api/ URL (path and query string, as sent) longer than MAX_URL_LENGTH answers
    414 in the error format before anything reads it.

    The HTTP server has a limit of its own (gunicorn.conf.py sets gunicorn's request line
    to 8190 bytes, its most) and answers above it with its own page; this one sits below
    it, so a client meets the error format for any URL the server lets through.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.path_info.startswith("/api/")
            and len(request.get_full_path()) > settings.MAX_URL_LENGTH
        ):
            message = f"The URL is longer than {settings.MAX_URL_LENGTH} characters."
            return JsonResponse(error_body(ErrorCode.URI_TOO_LONG, message), status=414)
        return self.get_response(request)


class DatabaseBusyMiddleware:
    """A view outside DRF (the admin, the probes) that meets a busy SQLite database answers
    503 with Retry-After, as DRF views do through ``api_exception_handler``, never a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_busy(exception):
            return None
        logger.warning("Database busy at %s: %s", request.path, exception)
        return database_busy(request)
