"""The estates app's error codes and errors."""

from enum import StrEnum

from apps.core.errors import (
    ApplicationError,
    ConflictError,
    PermissionDeniedError,
    ValidationFailed,
)


class ErrorCode(StrEnum):
    DUPLICATE_ESTATE = "duplicate_estate"
    ESTATE_HAS_PLOTS = "estate_has_plots"
    DUPLICATE_PLOT = "duplicate_plot"
    PLOT_HAS_PURCHASES = "plot_has_purchases"
    INVALID_STATUS_CHANGE = "invalid_status_change"
    PLOT_UNAVAILABLE = "plot_unavailable"
    DUPLICATE_CLIENT = "duplicate_client"
    CLIENT_HAS_PURCHASES = "client_has_purchases"
    ALREADY_JOINED = "already_joined"
    INVALID_INVITATION = "invalid_invitation"
    INVITATION_EMAIL_MISMATCH = "invitation_email_mismatch"
    STAFF_ACCOUNT = "staff_account"
    ACCOUNT_EXISTS = "account_exists"
    TOO_MANY_INVITATIONS = "too_many_invitations"
    UNVERIFIED_COMPANY = "unverified_company"


class PlotUnavailable(ConflictError):
    code = ErrorCode.PLOT_UNAVAILABLE


class InvalidInvitation(ValidationFailed):
    code = ErrorCode.INVALID_INVITATION
    default_message = (
        "The invitation link is invalid, used or expired; ask the company to send a new one."
    )


class InvitationEmailMismatch(PermissionDeniedError):
    code = ErrorCode.INVITATION_EMAIL_MISMATCH
    default_message = (
        "This invitation was sent to another email address: sign in with the account that owns it."
    )


class StaffAccountRefused(PermissionDeniedError):
    code = ErrorCode.STAFF_ACCOUNT
    default_message = "Our staff accounts cannot join a company."


class AccountExists(ConflictError):
    code = ErrorCode.ACCOUNT_EXISTS
    default_message = (
        "An account with this email exists: sign in with it and accept the invitation."
    )


class UnverifiedCompany(PermissionDeniedError):
    code = ErrorCode.UNVERIFIED_COMPANY
    default_message = (
        "Invitations are sent only for companies with an admin whose email address is "
        "verified: confirm yours from the link we emailed you."
    )


class TooManyInvitations(ApplicationError):
    status_code = 429
    code = ErrorCode.TOO_MANY_INVITATIONS
