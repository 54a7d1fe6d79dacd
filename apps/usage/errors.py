"""The usage app's error codes and errors."""

from enum import StrEnum

from apps.core.errors import ApplicationError


class ErrorCode(StrEnum):
    RATE_LIMITED = "rate_limited"


class RateLimited(ApplicationError):
    status_code = 429
    code = ErrorCode.RATE_LIMITED
