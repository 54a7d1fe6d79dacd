"""The payments app's error codes and errors."""

from enum import StrEnum

from apps.core.errors import ApplicationError, ConflictError, ValidationFailed


class ErrorCode(StrEnum):
    DUPLICATE_REFERENCE = "duplicate_reference"
    PAYMENTS_UNAVAILABLE = "payments_unavailable"
    GATEWAY_UNAVAILABLE = "gateway_unavailable"
    GATEWAY_REFUSED = "gateway_refused"
    INVALID_SIGNATURE = "invalid_signature"
    NO_CARD_SUBSCRIPTION = "no_card_subscription"
    ALREADY_SUBSCRIBED = "already_subscribed"
    NO_GATEWAY_PRICE = "no_gateway_price"


class DuplicateReference(ConflictError):
    code = ErrorCode.DUPLICATE_REFERENCE
    default_message = "A different payment was already recorded with this method and reference."


RETRY_AFTER_SECONDS = 30


class PaymentsUnavailable(ApplicationError):
    """Card payments are not configured here (no gateway keys)."""

    status_code = 503
    code = ErrorCode.PAYMENTS_UNAVAILABLE
    default_message = "Card payments are not available right now; pay by bank transfer."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message,
            details={"retry_after": RETRY_AFTER_SECONDS},
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )


class GatewayUnavailable(PaymentsUnavailable):
    """The gateway did not answer (down, timed out, or failed on its side)."""

    code = ErrorCode.GATEWAY_UNAVAILABLE
    default_message = "The card payment service did not answer; try again in a moment."


class GatewayRefused(ConflictError):
    """The gateway answered and refused (what we asked does not fit its state there)."""

    code = ErrorCode.GATEWAY_REFUSED
    default_message = "Stripe refused the request; `details.gateway` says why."


class InvalidSignature(ValidationFailed):
    code = ErrorCode.INVALID_SIGNATURE
    default_message = "The webhook's signature is missing, wrong or too old."
