"""Shared view pieces: tenant scoping for viewsets, and JSON error pages for /api/ paths."""

import sys
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.views import defaults

from apps.core.database import is_database_busy
from apps.core.errors import DatabaseBusy
from apps.core.exception_handler import SERVER_ERROR_MESSAGE, error_body
from apps.core.tenancy import require_tenant


class TenantScopedMixin:
    """Scope ``get_queryset`` to the request's company; another company's id answers 404."""

    request: Any

    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset()  # type: ignore[misc]
        return queryset.for_company(require_tenant(self.request).company_id)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body("bad_request", "The request is malformed."), status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        body = error_body("permission_denied", "You do not have permission to do this.")
        return JsonResponse(body, status=403)
    return defaults.permission_denied(request, exception)


def api_not_found(request: HttpRequest) -> HttpResponse:
    # The API never redirects a missing trailing slash (a POST body would be lost), but
    # it says which path was meant.
    details = None
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.url_name != "api-not-found":
            details = {"did_you_mean": request.path + "/"}
    return JsonResponse(error_body("not_found", "No such endpoint.", details), status=404)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return api_not_found(request)
    return defaults.page_not_found(request, exception)


def database_busy(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: in the error format under /api/, plain text elsewhere."""
    busy = DatabaseBusy()
    if _is_api(request):
        response: HttpResponse = JsonResponse(
            error_body(busy.code, busy.message, busy.details), status=busy.status_code
        )
    else:
        response = HttpResponse(busy.message, status=busy.status_code, content_type="text/plain")
    for name, value in busy.headers.items():
        response[name] = value
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this while handling the exception (with DEBUG off), so it can still
    # tell a busy database, met in a middleware (saving a session), from a bug.
    if is_database_busy(sys.exc_info()[1]):
        return database_busy(request)
    if _is_api(request):
        return JsonResponse(error_body("server_error", SERVER_ERROR_MESSAGE), status=500)
    return defaults.server_error(request)
