"""The project's error type. Services raise these; the API turns them into the one format.

Each subclass has a stable ``code`` that clients can branch on and an HTTP status. Every
code comes from a catalogue: ``ErrorCode`` here for what any app or the framework may
answer, and an ``ErrorCode`` in each app's ``errors.py`` for its own rules. A test keeps
string codes from being written anywhere else.
"""

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    """Codes any endpoint may answer (the framework's and the shared kernel's)."""

    APPLICATION_ERROR = "application_error"
    VALIDATION_ERROR = "validation_error"
    MALFORMED_JSON = "malformed_json"
    BODY_TOO_LARGE = "body_too_large"
    TOO_MANY_FIELDS = "too_many_fields"
    URI_TOO_LONG = "uri_too_long"
    PARSE_ERROR = "parse_error"
    NOT_AUTHENTICATED = "not_authenticated"
    AUTHENTICATION_FAILED = "authentication_failed"
    SUBSCRIPTION_INACTIVE = "subscription_inactive"
    PERMISSION_DENIED = "permission_denied"
    NO_COMPANY = "no_company"
    PLAN_LIMIT_REACHED = "plan_limit_reached"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_ACCEPTABLE = "not_acceptable"
    CONFLICT = "conflict"
    INVALID_TRANSITION = "invalid_transition"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    THROTTLED = "throttled"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    DATABASE_BUSY = "database_busy"
    BAD_REQUEST = "bad_request"
    INVALID_PHONE = "invalid_phone"
    SERVER_ERROR = "server_error"


class ApplicationError(Exception):
    status_code = 400
    code: str = ErrorCode.APPLICATION_ERROR
    default_message = "The request could not be completed."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.default_message
        if code:
            self.code = code
        self.details = details
        self.headers = headers or {}
        super().__init__(self.message)


class ValidationFailed(ApplicationError):
    status_code = 400
    code = ErrorCode.VALIDATION_ERROR
    default_message = "Some fields are invalid."


class PaymentRequired(ApplicationError):
    status_code = 402
    code = ErrorCode.SUBSCRIPTION_INACTIVE
    default_message = "The company's subscription is not active."


class PermissionDeniedError(ApplicationError):
    status_code = 403
    code = ErrorCode.PERMISSION_DENIED
    default_message = "You do not have permission to do this."


class NotFoundError(ApplicationError):
    status_code = 404
    code = ErrorCode.NOT_FOUND
    default_message = "Not found."


class ConflictError(ApplicationError):
    status_code = 409
    code = ErrorCode.CONFLICT
    default_message = "The request conflicts with the current state."


class InvalidTransition(ConflictError):
    """A state change the row's current state does not allow (a cancelled sale completed,
    a pending affiliation suspended, ...)."""

    code = ErrorCode.INVALID_TRANSITION


class LimitExceeded(ApplicationError):
    status_code = 403
    code = ErrorCode.PLAN_LIMIT_REACHED
    default_message = "The plan's limit has been reached."


# Seconds a client is told to wait after a database_busy answer: the lock it met had
# already been held for the whole busy timeout, so an immediate retry would queue again.
DATABASE_BUSY_RETRY_AFTER = 5


class DatabaseBusy(ApplicationError):
    """A write waited the whole busy timeout for another write's lock (SQLite only)."""

    status_code = 503
    code = ErrorCode.DATABASE_BUSY
    default_message = "The database is busy with other changes; try again in a moment."

    def __init__(self) -> None:
        super().__init__(
            details={"retry_after": DATABASE_BUSY_RETRY_AFTER},
            headers={"Retry-After": str(DATABASE_BUSY_RETRY_AFTER)},
        )
