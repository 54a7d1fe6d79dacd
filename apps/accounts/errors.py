"""The accounts app's error codes and errors."""

from enum import StrEnum

from apps.core.errors import ApplicationError, ValidationFailed


class ErrorCode(StrEnum):
    INVALID_CREDENTIALS = "invalid_credentials"
    EMAIL_UNVERIFIED = "email_unverified"
    INVALID_VERIFICATION_LINK = "invalid_verification_link"
    TOKEN_NOT_VALID = "token_not_valid"
    INVALID_RESET_LINK = "invalid_reset_link"
    PASSWORD_TOO_LONG = "password_too_long"


class InvalidCredentials(ApplicationError):
    status_code = 401
    code = ErrorCode.INVALID_CREDENTIALS
    # The same words whether the email is unknown, the password wrong or the account
    # disabled, so the answer does not tell which emails have accounts.
    default_message = "The email or password is incorrect."


class EmailNotVerified(ApplicationError):
    status_code = 403
    code = ErrorCode.EMAIL_UNVERIFIED
    default_message = (
        "Verify your email address first: open the link we emailed you, or ask for a new "
        "one with POST /api/auth/email/verify/resend/."
    )


class InvalidVerificationLink(ValidationFailed):
    code = ErrorCode.INVALID_VERIFICATION_LINK
    default_message = "The verification link is invalid or has expired; ask for a new one."


class InvalidRefreshToken(ApplicationError):
    status_code = 401
    code = ErrorCode.TOKEN_NOT_VALID
    default_message = "The refresh token is invalid or expired."


class InvalidResetLink(ValidationFailed):
    code = ErrorCode.INVALID_RESET_LINK
    default_message = "The reset link is invalid or has expired; ask for a new one."
