"""The companies app's error codes."""

from enum import StrEnum


class ErrorCode(StrEnum):
    ALREADY_MEMBER = "already_member"
    LAST_ADMIN = "last_admin"
    NOT_A_MEMBER = "not_a_member"
    TOKEN_REVOKED = "token_revoked"
    INVALID_API_KEY = "invalid_api_key"
