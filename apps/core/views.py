"""Shared view pieces: tenant scoping for viewsets, and JSON error pages for /api/ paths."""

import sys
from collections.abc import Callable
from typing import Any, ClassVar

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt

from apps.core.database import is_database_busy
from apps.core.errors import DatabaseBusy, ErrorCode
from apps.core.exception_handler import SERVER_ERROR_MESSAGE, error_body
from apps.core.roles import Role
from apps.core.tenancy import Tenant, require_tenant


class TenantScopedMixin:
    """Scope ``get_queryset`` to the request's company; another company's id answers 404."""

    request: Any

    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset()  # type: ignore[misc]
        return queryset.for_company(require_tenant(self.request).company_id)


class SeesOwnRowsMixin(TenantScopedMixin):
    """Company admins (and API keys) see every row of the company; any other role sees
    only the rows ``own_rows`` gives it (a filter built from the tenant), and a role
    missing from ``own_rows`` sees none."""

    own_rows: ClassVar[dict[str, Callable[[Tenant], Q]]] = {}

    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset()
        tenant = require_tenant(self.request)
        if tenant.role == Role.COMPANY_ADMIN:
            return queryset
        own = self.own_rows.get(tenant.role)
        return queryset.filter(own(tenant)) if own else queryset.none()


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(
            error_body(ErrorCode.BAD_REQUEST, "The request is malformed."), status=400
        )
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        body = error_body(ErrorCode.PERMISSION_DENIED, "You do not have permission to do this.")
        return JsonResponse(body, status=403)
    return defaults.permission_denied(request, exception)


# No CSRF check: it has nothing to protect, and an unsafe method on a mistyped path must
# get this JSON 404 (with its hint), not Django's HTML "CSRF verification failed".
@csrf_exempt
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
    return JsonResponse(error_body(ErrorCode.NOT_FOUND, "No such endpoint.", details), status=404)


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
        return JsonResponse(error_body(ErrorCode.SERVER_ERROR, SERVER_ERROR_MESSAGE), status=500)
    return defaults.server_error(request)
