"""The OpenAPI schema tells the truth: every error an operation can give, in the one
error envelope, with the headers that come with it.

``ApiAutoSchema`` (DRF's DEFAULT_SCHEMA_CLASS) adds to each operation the error
responses that follow from how its view is built:

- 400 when it takes a body or query parameters; 415 when it takes a body;
- 401 when it authenticates callers (a bad token fails even on an open endpoint);
- 402 when it changes a company's data and the company's subscription may have lapsed;
- 403 when a permission or the caller's company can refuse it;
- 404 for a path with an id, or a paginated list (a page past the end);
- 409 where the view declares it in ``conflict_actions`` (its services can refuse a
  change that clashes with the current state);
- 414 on any operation: its URL may be longer than MAX_URL_LENGTH;
- 429 with Retry-After when a per-IP limit or the tier throttle applies, and the
  rate-limit headers on every answer the throttle counted;
- 503 with Retry-After on any operation: the embedded SQLite database may be busy.

Request bodies of strict serializers refuse unknown fields, so they say
``additionalProperties: false``. Decimal inputs state their real bounds.
"""

from collections.abc import Iterable
from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_basic_type, get_lib_doc_excludes
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from apps.core.permissions import IsTenantMember
from apps.core.serializers import StrictInputMixin, WritableChoicesField

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Longest text a query parameter is documented to take (the search filter's limit); the
# whole URL must stay within MAX_URL_LENGTH.
QUERY_TEXT_MAX_LENGTH = 100

ERROR_DESCRIPTIONS = {
    400: "The input is invalid; `details` names each field and what is wrong with it.",
    401: "Authentication is missing or failed (a bad, expired or logged-out token or key).",
    402: "The company's subscription is not active: it may read but not change its data.",
    403: "The caller may not do this (their role, no company, or an unverified email).",
    404: "No such object for this company (another company's id answers 404 too).",
    409: "The change conflicts with the current state (a duplicate, a finished sale, ...).",
    414: "The URL (path and query string) is longer than the server accepts.",
    415: "The body is not JSON.",
    429: "A rate limit refused the request; Retry-After says how long to wait.",
    503: "A shared resource is busy or unavailable; retry after Retry-After seconds.",
}

RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer", "minimum": 1},
        "description": "Seconds to wait before trying again.",
    }
}
RATE_LIMIT_HEADERS = {
    "X-RateLimit-Limit": {
        "schema": {"type": "integer"},
        "description": "The limit of the window closest to running out.",
    },
    "X-RateLimit-Remaining": {
        "schema": {"type": "integer"},
        "description": "Requests left in that window.",
    },
    "X-RateLimit-Reset": {
        "schema": {"type": "integer"},
        "description": "When that window resets (Unix time).",
    },
    "RateLimit-Policy": {
        "schema": {"type": "string"},
        "description": "Every limit that applies, in the IETF httpapi draft's format.",
    },
    "RateLimit": {
        "schema": {"type": "string"},
        "description": "What is left of each limit, in the IETF httpapi draft's format.",
    },
}


def _catalogued_codes() -> str:
    from importlib import import_module

    from django.apps import apps

    modules = ["apps.core.errors"] + [
        f"{config.name}.errors"
        for config in apps.get_app_configs()
        if config.name.startswith("apps.")
    ]
    codes: set[str] = set()
    for name in modules:
        try:
            codes |= {member.value for member in import_module(name).ErrorCode}
        except ModuleNotFoundError:
            continue
    return ", ".join(f"`{code}`" for code in sorted(codes))


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="A stable code to branch on, from the project's error catalogues."
    )
    message = serializers.CharField(help_text="A sentence for a person to read.")
    details = serializers.JSONField(
        allow_null=True,
        help_text="More about the error: for a validation error, the messages per field.",
    )


@extend_schema_serializer(component_name="Error")
class ErrorSerializer(serializers.Serializer):
    """Every error the API gives, whatever its status."""

    error = ErrorBodySerializer()


def doc_excludes() -> list[type]:
    """Classes whose docstrings describe the code, not the API (kept out of the schema)."""
    from apps.core.serializers import (
        CrossAppDisplayMixin,
        EmptySerializer,
        StrictModelSerializer,
        StrictSerializer,
    )
    from apps.core.views import SeesOwnRowsMixin, TenantScopedMixin

    return [
        *get_lib_doc_excludes(),
        StrictInputMixin,
        StrictModelSerializer,
        StrictSerializer,
        EmptySerializer,
        CrossAppDisplayMixin,
        TenantScopedMixin,
        SeesOwnRowsMixin,
    ]


class ApiAutoSchema(AutoSchema):
    def _action_name(self) -> str:
        return getattr(self.view, "action", None) or self.method.lower()

    def _view_method(self) -> Any:
        return getattr(self.view, self._action_name(), None)

    def _authenticates(self) -> bool:
        return bool(self.view.get_authenticators())

    def _only_allow_any(self) -> bool:
        permissions = self.view.get_permissions()
        return all(isinstance(permission, AllowAny) for permission in permissions)

    def _takes_body(self) -> bool:
        return self.method in ("POST", "PUT", "PATCH")

    def _takes_query(self) -> bool:
        return bool(
            [p for p in self._get_parameters() if p.get("in") == "query"]  # type: ignore[attr-defined]
        )

    def _throttled(self) -> bool:
        return self._authenticates() and bool(self.view.get_throttles())

    def _ip_limited(self) -> bool:
        return bool(getattr(self._view_method(), "ip_limited", False))

    def error_statuses(self) -> set[int]:
        statuses = {414, 503}
        if self._takes_body() or self._takes_query():
            statuses.add(400)
        if self._takes_body() and self.view.get_parsers():
            statuses.add(415)
        if self._authenticates():
            statuses |= {401, 403}
        if not self._only_allow_any():
            statuses.add(403)
        permissions = self.view.get_permissions()
        if (
            self.method in UNSAFE_METHODS
            and any(isinstance(permission, IsTenantMember) for permission in permissions)
            and not getattr(self.view, "allowed_without_subscription", False)
        ):
            statuses.add(402)
        paginated = self.method == "GET" and self._is_list_view() and self._get_paginator()
        if "{" in self.path or paginated:
            statuses.add(404)
        if self._action_name() in getattr(self.view, "conflict_actions", ()):
            statuses.add(409)
        # What a view answers beyond what its shape shows (a login's 401, say).
        statuses |= set(getattr(self.view, "documented_errors", ()))
        if self._throttled() or self._ip_limited():
            statuses.add(429)
        return statuses

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if self._throttled():
            for code, response in responses.items():
                if code.startswith("2"):
                    response.setdefault("headers", {}).update(RATE_LIMIT_HEADERS)
        for status in sorted(self.error_statuses()):
            if str(status) in responses:
                continue
            # Errors are JSON whatever the success answer is (a PDF, say).
            response = self._get_response_for_code(
                ErrorSerializer, str(status), media_types=["application/json"]
            )
            response["description"] = ERROR_DESCRIPTIONS[status]
            headers = {}
            if status in (429, 503):
                headers.update(RETRY_AFTER)
            if status == 429 and self._throttled():
                headers.update(RATE_LIMIT_HEADERS)
            if headers:
                response["headers"] = headers
            responses[str(status)] = response
        return responses

    def _get_parameters(self) -> list[dict[str, Any]]:
        parameters = super()._get_parameters()
        ordering_fields = getattr(self.view, "ordering_fields", None)
        for parameter in parameters:
            schema = parameter.get("schema", {})
            if parameter.get("in") != "query" or schema.get("type") != "string":
                continue
            if parameter["name"] == "ordering" and ordering_fields:
                # The fields a list can be ordered by, ascending or (with "-") descending.
                schema["enum"] = [
                    value for field in ordering_fields for value in (field, f"-{field}")
                ]
            elif "enum" not in schema and "format" not in schema:
                schema.setdefault("maxLength", QUERY_TEXT_MAX_LENGTH)
        return parameters

    def _map_basic_serializer(self, serializer: Any, direction: str) -> dict[str, Any]:
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and isinstance(serializer, StrictInputMixin):
            schema["additionalProperties"] = False
        return schema

    def _map_serializer_field(self, field: Any, direction: str, bypass_extensions: bool = False):  # type: ignore[no-untyped-def]
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if (
            direction == "request"
            and isinstance(field, serializers.DecimalField)
            and schema.get("type") == "string"
        ):
            return _decimal_input(field, schema)
        return schema


def _decimal_input(field: serializers.DecimalField, as_string: dict[str, Any]) -> dict[str, Any]:
    """A decimal input: a string (as the API writes decimals) or a number, within the
    field's real bounds, which the string form can only state in words."""
    whole = 10 ** (field.max_digits - field.decimal_places)
    low = field.min_value if field.min_value is not None else -whole
    high = field.max_value if field.max_value is not None else whole
    number: dict[str, Any] = {"type": "number", "minimum": float(low), "maximum": float(high)}
    string = dict(as_string)
    if field.min_value is not None and field.min_value >= 0:
        string["pattern"] = string["pattern"].replace("^-?", "^", 1)
    bounds = f"from {low} to {high}, at most {field.decimal_places} decimal places"
    description = " ".join(part for part in (as_string.get("description"), bounds) if part)
    for key in ("description", "readOnly", "writeOnly"):
        string.pop(key, None)
    result: dict[str, Any] = {"oneOf": [string, number], "description": description.strip()}
    if as_string.get("nullable"):
        result["nullable"] = True
    return result


class WritableChoicesFieldExtension(OpenApiSerializerFieldExtension):
    """A read/write field whose answers may hold values a client may not send."""

    target_class = WritableChoicesField

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        field = self.target
        values: Iterable[str] = (
            field.writable_choices if direction == "request" else list(field.choices)
        )
        schema = {**build_basic_type(OpenApiTypes.STR), "enum": list(values)}
        if field.help_text:
            schema["description"] = str(field.help_text)
        return schema


def describe_error_codes(result: dict[str, Any], generator: Any, **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: list every catalogued error code on the Error component."""
    component = result.get("components", {}).get("schemas", {}).get("ErrorBody")
    if component is not None:
        component["properties"]["code"]["description"] = (
            "A stable code to branch on, one of: " + _catalogued_codes() + "."
        )
    return result
