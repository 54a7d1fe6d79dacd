"""The payments app's error codes and errors."""

from enum import StrEnum

from apps.core.errors import ConflictError


class ErrorCode(StrEnum):
    DUPLICATE_REFERENCE = "duplicate_reference"


class DuplicateReference(ConflictError):
    code = ErrorCode.DUPLICATE_REFERENCE
    default_message = "A different payment was already recorded with this method and reference."
