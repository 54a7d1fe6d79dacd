"""The marketers app's error codes and errors."""

from enum import StrEnum

from apps.core.errors import ConflictError


class ErrorCode(StrEnum):
    AGENT_LIMIT_REACHED = "agent_limit_reached"
    ALREADY_APPLIED = "already_applied"
    AFFILIATION_SUSPENDED = "suspended"
    ALREADY_DECIDED = "already_decided"
    ALREADY_PAID = "already_paid"
    COMMISSION_PAID = "commission_paid"


class AlreadyDecided(ConflictError):
    """The same decision was made before with another value (rate, reason, reference):
    repeating a decision is a no-op only when it says the same thing."""

    code = ErrorCode.ALREADY_DECIDED
