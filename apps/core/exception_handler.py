"""One JSON error format for every API error: ``{"error": {"code", "message", "details"}}``."""

import logging
import math
from typing import Any

import sentry_sdk
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django_ratelimit.exceptions import Ratelimited
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import set_rollback

from apps.core.database import is_database_busy
from apps.core.errors import ApplicationError, DatabaseBusy, ErrorCode

logger = logging.getLogger(__name__)

SERVER_ERROR_MESSAGE = "Something went wrong on our side. It has been reported."


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}}


def error_response(
    status_code: int,
    code: str,
    message: str,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> Response:
    return Response(error_body(code, message, details), status=status_code, headers=headers)


def _describe_api_exception(exc: exceptions.APIException) -> tuple[str, str, Any]:
    detail = exc.detail
    if isinstance(exc, exceptions.ValidationError):
        details = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        return ErrorCode.VALIDATION_ERROR, "Some fields are invalid.", details
    if isinstance(detail, dict):
        # simplejwt's token errors: {"detail": ..., "code": ..., "messages": [...]}
        message = str(detail.get("detail", exc.default_detail))
        code = str(detail.get("code", exc.default_code))
        extra = {key: value for key, value in detail.items() if key not in ("detail", "code")}
        return code, message, extra or None
    if isinstance(detail, list):
        return exc.default_code, str(exc.default_detail), detail
    return getattr(detail, "code", None) or exc.default_code, str(detail), None


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    if is_database_busy(exc):
        # Contention, not a bug: logged for whoever runs the server, not reported.
        logger.warning("Database busy in %s: %s", context.get("view"), exc)
        exc = DatabaseBusy()
    if isinstance(exc, ApplicationError):
        set_rollback()
        return error_response(exc.status_code, exc.code, exc.message, exc.details, exc.headers)

    if isinstance(exc, Ratelimited):
        set_rollback()
        # apps.core.ip_limits says how long its window is; a bare Ratelimited does not.
        retry_after = getattr(exc, "retry_after", 60)
        return error_response(
            status.HTTP_429_TOO_MANY_REQUESTS,
            ErrorCode.TOO_MANY_ATTEMPTS,
            getattr(exc, "message", None)
            or "Too many attempts from this address; try again later.",
            {"retry_after": retry_after},
            headers={"Retry-After": str(retry_after)},
        )
    if isinstance(exc, SuspiciousOperation):
        # Django's own guards on the request (too many query or form fields, a bad
        # Host, ...): the client's fault, answered like any other bad request.
        set_rollback()
        return error_response(
            status.HTTP_400_BAD_REQUEST, ErrorCode.BAD_REQUEST, "The request is malformed."
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))

    if isinstance(exc, exceptions.APIException):
        headers = {}
        if auth_header := getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = auth_header
        code, message, details = _describe_api_exception(exc)
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            retry_after = max(1, math.ceil(exc.wait))
            headers["Retry-After"] = str(retry_after)
            details = {"retry_after": retry_after, **(details or {})}
        set_rollback()
        return error_response(exc.status_code, code, message, details, headers)

    # Anything else is our bug: report it, answer in the same format, never leak internals.
    set_rollback()
    sentry_sdk.capture_exception(exc)
    logger.error("Unhandled error in %s", context.get("view"), exc_info=exc)
    return error_response(
        status.HTTP_500_INTERNAL_SERVER_ERROR, ErrorCode.SERVER_ERROR, SERVER_ERROR_MESSAGE
    )
