"""The companies app's error codes."""

from enum import StrEnum


class ErrorCode(StrEnum):
    ALREADY_MEMBER = "already_member"
    LAST_ADMIN = "last_admin"
    NOT_A_MEMBER = "not_a_member"
    TOKEN_REVOKED = "token_revoked"
    # simplejwt's codes for an account it refuses, kept for one from the cache.
    USER_INACTIVE = "user_inactive"
    PASSWORD_CHANGED = "password_changed"
    INVALID_API_KEY = "invalid_api_key"
