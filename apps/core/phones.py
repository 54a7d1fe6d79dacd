"""Phone numbers, stored in E.164 (``+2348031234567``) so any SMS gateway takes them.

People type Nigerian numbers the local way (``0803 123 4567``); numbers without a country
code are read as Nigerian, and any number with ``+`` and its country code is taken as
long as it is a valid number there. ``normalize_phone`` is the one place that decides;
``PhoneNumberField`` applies it to API input.
"""

from collections.abc import Mapping
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from rest_framework import serializers

from apps.core.errors import ErrorCode, ValidationFailed

DEFAULT_REGION = "NG"
INVALID_PHONE_MESSAGE = "Enter a valid phone number, e.g. 0803 123 4567 or +234 803 123 4567."
# What a person may type: digits, spaces, brackets and dashes around a number. E.164 itself
# is at most 16 characters.
MAX_INPUT_LENGTH = 32


def normalize_phone(value: str, region: str = DEFAULT_REGION) -> str:
    """``value`` in E.164, read as a number of ``region`` unless it starts with ``+``;
    blank stays blank. Raises ``ValidationError`` (code ``invalid_phone``) for anything
    that is not a valid, dialable number (an extension would be lost, so it is refused)."""
    value = (value or "").strip()
    if not value:
        return ""
    invalid = ValidationError(INVALID_PHONE_MESSAGE, code=ErrorCode.INVALID_PHONE)
    if len(value) > MAX_INPUT_LENGTH:
        raise invalid
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException as error:
        raise invalid from error
    if not phonenumbers.is_valid_number(number) or number.extension:
        raise invalid
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_clean(value: str, *, field: str = "phone") -> str:
    """``normalize_phone`` for services: an invalid number is a ``ValidationFailed``
    naming ``field``, in the API's error format."""
    try:
        return normalize_phone(value)
    except ValidationError as error:
        raise ValidationFailed(details={field: list(error.messages)}) from error


def phone_clean_data(data: Mapping[str, Any], *, field: str = "phone") -> dict[str, Any]:
    """A copy of an update's ``data`` with its phone, if it has one, in E.164."""
    cleaned = dict(data)
    if field in cleaned:
        cleaned[field] = phone_clean(cleaned[field], field=field)
    return cleaned


class PhoneNumberField(serializers.CharField):
    """A phone number in, E.164 out (``0803 123 4567`` becomes ``+2348031234567``); blank
    allowed unless ``allow_blank=False`` is passed."""

    default_error_messages = {ErrorCode.INVALID_PHONE: INVALID_PHONE_MESSAGE}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", MAX_INPUT_LENGTH)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault(
            "help_text", "A phone number; numbers without a country code are read as Nigerian."
        )
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        try:
            return normalize_phone(value)
        except ValidationError:
            raise serializers.ValidationError(
                self.error_messages[ErrorCode.INVALID_PHONE], code=ErrorCode.INVALID_PHONE
            ) from None
