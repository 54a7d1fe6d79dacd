"""Password rules beyond Django's: a ceiling, so hashing a megabyte "password" costs nothing."""

from typing import Any

from django.core.exceptions import ValidationError

from apps.accounts.errors import ErrorCode


class MaximumLengthValidator:
    def __init__(self, max_length: int = 128) -> None:
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                f"This password is too long. It must contain at most {self.max_length} characters.",
                code=ErrorCode.PASSWORD_TOO_LONG,
            )

    def get_help_text(self) -> str:
        return f"Your password must contain at most {self.max_length} characters."
