"""The notifications app's error codes and errors."""

from enum import StrEnum

from apps.core.errors import ValidationFailed


class ErrorCode(StrEnum):
    INVALID_UNSUBSCRIBE_LINK = "invalid_unsubscribe_link"
    CATEGORY_MANDATORY = "category_mandatory"


class InvalidUnsubscribeLink(ValidationFailed):
    code = ErrorCode.INVALID_UNSUBSCRIBE_LINK
    default_message = "This unsubscribe link is not valid (it may be incomplete or withdrawn)."


class CategoryMandatory(ValidationFailed):
    code = ErrorCode.CATEGORY_MANDATORY
    default_message = "Billing and security messages cannot be turned off."
