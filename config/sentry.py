"""Sentry: switched on only when SENTRY_DSN is set, and scrubbed before anything leaves.

``send_default_pii=False`` keeps user emails, IPs and cookies out; ``scrub_event`` also
removes what the SDK cannot know is secret here: Authorization headers, our API keys,
Stripe secrets, card numbers (Luhn-valid 13-19 digit runs) and Nigerian bank account
numbers (10-digit NUBANs), wherever they appear in the event.
"""

from __future__ import annotations

import re
from typing import Any

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.redis import RedisIntegration

FILTERED = "[Filtered]"

# A key is sensitive when its normalised name contains one of these.
SENSITIVE_KEY_PARTS = (
    "authorization",
    "api_key",
    "apikey",
    "password",
    "passwd",
    "secret",
    "token",
    "cookie",
    "signature",
    "card_number",
    "cardnumber",
    "cvv",
    "cvc",
    "account_number",
    "accountnumber",
    "iban",
    "nuban",
    "bvn",
)
SENSITIVE_KEYS_EXACT = {"pan", "card", "session", "sessionid", "csrftoken"}
# Structural fields of the event that are never user data.
UNTOUCHED_KEYS = {
    "event_id",
    "trace_id",
    "span_id",
    "parent_span_id",
    "timestamp",
    "start_timestamp",
}

SECRET_PATTERNS = (
    re.compile(r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]+"),  # Stripe secret/restricted keys
    re.compile(r"\bwhsec_[A-Za-z0-9]+"),  # Stripe webhook signing secrets
    re.compile(r"\bea_[a-f0-9]+_[A-Za-z0-9_-]+"),  # our company API keys
    re.compile(r"\bBearer\s+[A-Za-z0-9._~+/=-]+", re.IGNORECASE),
    re.compile(r"(?i)\b(password|token|api_key|secret|card_number|account_number)=([^&\s]+)"),
)
CARD_CANDIDATE = re.compile(r"(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)")
BANK_ACCOUNT = re.compile(r"(?<!\d)\d{10}(?!\d)")


def _luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def _scrub_card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return FILTERED if _luhn_valid(digits) else match.group(0)


def scrub_string(value: str) -> str:
    for pattern in SECRET_PATTERNS:
        value = pattern.sub(FILTERED, value)
    value = CARD_CANDIDATE.sub(_scrub_card, value)
    return BANK_ACCOUNT.sub(FILTERED, value)


def _is_sensitive_key(key: str) -> bool:
    normalised = key.lower().replace("-", "_")
    if normalised in SENSITIVE_KEYS_EXACT:
        return True
    return any(part in normalised for part in SENSITIVE_KEY_PARTS)


def scrub(value: Any) -> Any:
    """Return ``value`` with sensitive keys and values replaced, recursively."""
    if isinstance(value, dict):
        cleaned = {}
        for key, item in value.items():
            if isinstance(key, str) and key in UNTOUCHED_KEYS:
                cleaned[key] = item
            elif isinstance(key, str) and _is_sensitive_key(key):
                cleaned[key] = FILTERED
            else:
                cleaned[key] = scrub(item)
        return cleaned
    if isinstance(value, list | tuple):
        # Header lists arrive as [name, value] pairs.
        if len(value) == 2 and isinstance(value[0], str) and _is_sensitive_key(value[0]):
            return [value[0], FILTERED]
        return [scrub(item) for item in value]
    if isinstance(value, str):
        return scrub_string(value)
    return value


def scrub_event(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    return scrub(event)


def scrub_breadcrumb(crumb: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
    return scrub(crumb)


def init_sentry(
    *, dsn: str, environment: str, release: str | None, traces_sample_rate: float
) -> bool:
    """Initialise the SDK when a DSN is configured; returns whether it is on."""
    if not dsn:
        return False
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        traces_sample_rate=traces_sample_rate,
        send_default_pii=False,
        integrations=[DjangoIntegration(), CeleryIntegration(), RedisIntegration()],
        before_send=scrub_event,
        before_send_transaction=scrub_event,
        before_breadcrumb=scrub_breadcrumb,
    )
    return True
