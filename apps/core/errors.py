"""The project's error type. Services raise these; the API turns them into the one format.

Each subclass has a stable ``code`` that clients can branch on and an HTTP status.
"""

from typing import Any


class ApplicationError(Exception):
    status_code = 400
    code = "application_error"
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
    code = "validation_error"
    default_message = "Some fields are invalid."


class NotAuthenticatedError(ApplicationError):
    status_code = 401
    code = "not_authenticated"
    default_message = "Authentication is required."


class PaymentRequired(ApplicationError):
    status_code = 402
    code = "subscription_inactive"
    default_message = "The company's subscription is not active."


class PermissionDeniedError(ApplicationError):
    status_code = 403
    code = "permission_denied"
    default_message = "You do not have permission to do this."


class NotFoundError(ApplicationError):
    status_code = 404
    code = "not_found"
    default_message = "Not found."


class ConflictError(ApplicationError):
    status_code = 409
    code = "conflict"
    default_message = "The request conflicts with the current state."


class LimitExceeded(ApplicationError):
    status_code = 403
    code = "plan_limit_reached"
    default_message = "The plan's limit has been reached."


# Seconds a client is told to wait after a database_busy answer: the lock it met had
# already been held for the whole busy timeout, so an immediate retry would queue again.
DATABASE_BUSY_RETRY_AFTER = 5


class DatabaseBusy(ApplicationError):
    """A write waited the whole busy timeout for another write's lock (SQLite only)."""

    status_code = 503
    code = "database_busy"
    default_message = "The database is busy with other changes; try again in a moment."

    def __init__(self) -> None:
        super().__init__(
            details={"retry_after": DATABASE_BUSY_RETRY_AFTER},
            headers={"Retry-After": str(DATABASE_BUSY_RETRY_AFTER)},
        )
