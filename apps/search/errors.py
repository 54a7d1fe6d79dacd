"""The search app's error codes."""

from enum import StrEnum


class ErrorCode(StrEnum):
    DUPLICATE_SAVED_SEARCH = "duplicate_saved_search"
    TOO_MANY_SAVED_SEARCHES = "too_many_saved_searches"
