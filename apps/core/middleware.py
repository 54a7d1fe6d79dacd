"""Middleware shared by every app."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


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
