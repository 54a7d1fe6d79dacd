"""Pagination: page numbers (with a total) for every list, and keyset cursors for the
big ones.

``PageNumberPagination`` is the default: ``?page=`` and ``?page_size=`` (capped), with
``count``. ``KeysetPagination`` answers the same page-number form unless the request
carries ``?cursor=`` (empty for the first page): then pages are found by the ordering's
values of the last row seen, so the thousandth page costs what the first does, and no
total is counted. Its page-number form counts once per company, filter and write (see
apps.core.read_versions), not on every page.
"""

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cached_property, partial
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet, FieldDoesNotExist, ValidationError
from django.core.paginator import Paginator as DjangoPaginator
from django.db.models import BooleanField, Expression, F, Field, Q, QuerySet, Value
from rest_framework import pagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from apps.core.errors import ValidationFailed
from apps.core.filter_backends import view_filter_params
from apps.core.ordering import with_tie_breaker
from apps.core.prepared import prepared_statements
from apps.core.read_versions import (
    NOT_READ_EARLY,
    READ_CACHE_TIMEOUT,
    read_early,
    read_version_for,
)
from apps.core.roles import Role
from apps.core.tenancy import get_tenant, require_tenant


class CachedCountPaginator(DjangoPaginator):
    """Django's paginator whose total is kept in the cache under ``count_key`` with the
    read ``version`` it was counted under, and whose pages past the middle are read from
    the end: the last page of 100,000 rows is the first 25 in the reversed ordering, not
    99,975 rows skipped by OFFSET."""

    def page(self, number: Any) -> Any:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        if top + self.orphans >= self.count:
            top = self.count
        if bottom * 2 <= self.count or not _reversible(self.object_list):
            return self._get_page(self.object_list[bottom:top], number, self)
        rows = list(self.object_list.reverse()[self.count - top : self.count - bottom])
        rows.reverse()
        return self._get_page(rows, number, self)

    def __init__(
        self,
        *args: Any,
        count_key: str | None = None,
        version: str | None = None,
        request: Request | None = None,
        known_count: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.count_key, self.version, self.request = count_key, version, request
        self.known_count = known_count

    @cached_property
    def count(self) -> int:
        if self.known_count is not None:
            return self.known_count
        if self.count_key is None or self.version is None:
            return self._count()
        kept = read_early(self.request, self.count_key)
        if kept is NOT_READ_EARLY:
            kept = cache.get(self.count_key)
        if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == self.version:
            return kept[1]
        count = self._count()
        cache.set(self.count_key, (self.version, count), READ_CACHE_TIMEOUT)
        return count

    def _count(self) -> int:
        # Never by a prepared plan: a count's best plan depends on how many rows the
        # company has (an index for a few, the table for many).
        with prepared_statements(enabled=False):
            return super().count


def _reversible(rows: Any) -> bool:
    """A queryset whose ordering ends with its id: reversed, it lists the same rows
    backwards, ties included."""
    if not isinstance(rows, QuerySet) or not rows.query.order_by:
        return False
    return rows.query.order_by[-1].lstrip("-") in ("id", "pk")


def count_key(request: Request, view: Any, queryset: QuerySet | None = None) -> str | None:
    """The cache key of the list's total (kept with the company's version of the view's
    ``read_scope`` it was counted under); None when it is not kept.

    A company admin (or API key) sees every row of the company, so the view and the
    filters the request names decide the total, and the key is known before the list's
    query is built (``queryset`` may be None). Anyone else sees their own rows, which
    may depend on rows outside the scope: their total is keyed by ``queryset``'s SQL.
    """
    scope = getattr(view, "read_scope", None)
    tenant = get_tenant(request)
    if scope is None or tenant is None:
        return None
    if tenant.role == Role.COMPANY_ADMIN:
        identity: Any = (type(view).__qualname__, view_filter_params(request, view, queryset))
    elif queryset is None:
        return None
    else:
        try:
            identity = queryset.query.sql_with_params()
        except EmptyResultSet:
            return None
    digest = hashlib.sha256(repr(identity).encode()).hexdigest()
    return f"listcount:{scope}:{tenant.company_id}:{digest}"


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE

    def count_key_before_query(self, request: Request, view: Any) -> str | None:
        """The key of the total this request's page will need, when it is known before
        the list's query (so the listing cache reads it with the page: one round trip)."""
        return count_key(request, view)

    def paginate_queryset(
        self, queryset: QuerySet, request: Request, view: Any = None
    ) -> list | None:
        key = count_key(request, view, queryset)
        version = known = None
        if key is not None:  # then the view has a read scope and the request a tenant
            version, known = _count_version(request, view)
        self.django_paginator_class = partial(
            CachedCountPaginator,
            count_key=key,
            version=version,
            request=request,
            known_count=known,
        )
        return super().paginate_queryset(queryset, request, view)


def _count_version(request: Request, view: Any) -> tuple[str | None, int | None]:
    """The version a list's totals are kept under, and the total when the view knows it
    without counting. A view may say both itself (``count_version(request)``, e.g. from
    a counter its rows keep); otherwise the company's version of its read scope."""
    own = getattr(view, "count_version", None)
    if own is not None:
        return own(request)
    tenant = require_tenant(request)
    return read_version_for(request, view.read_scope, tenant.company_id), None


class RowComparison(Expression):
    """``(a, b, c) > (x, y, z)``: one row-value comparison, which PostgreSQL answers as a
    single range of an index on (a, b, c), and SQLite understands too."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, fields: Sequence[Field], values: Sequence[Any], operator: str) -> None:
        super().__init__()
        self.lhs = [F(field.attname) for field in fields]
        self.rhs = [
            Value(value, output_field=field) for field, value in zip(fields, values, strict=True)
        ]
        self.operator = operator

    def get_source_expressions(self) -> list[Any]:
        return [*self.lhs, *self.rhs]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        half = len(exprs) // 2
        self.lhs, self.rhs = list(exprs[:half]), list(exprs[half:])

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        sql: list[list[str]] = [[], []]
        params: list[Any] = []
        for side, expressions in enumerate((self.lhs, self.rhs)):
            for expression in expressions:
                part, part_params = compiler.compile(expression)
                sql[side].append(part)
                params.extend(part_params)
        return f"({', '.join(sql[0])}) {self.operator} ({', '.join(sql[1])})", params


def encode_cursor(ordering: str, values: Sequence[Any], *, backwards: bool = False) -> str:
    """The cursor of the page after (``backwards``: before) the row with ``values`` in
    ``ordering`` (its fields joined by commas, the id last, as the list orders)."""
    payload = {"o": ordering, "v": [_plain(value) for value in values], "b": backwards}
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _clean(field: Field, value: Any) -> Any:
    """A cursor's value as the column holds it, within the column's bounds (a number too
    big for it is a 400 here, not a database error); a foreign key as its target's id,
    with no query for the row."""
    target = field.target_field if field.is_relation else field
    value = target.clean(value, None)
    if isinstance(value, datetime) and value.tzinfo is not None:
        value.astimezone(UTC)  # OverflowError for a moment UTC cannot hold (year 10000)
    return value


def _invalid_cursor(message: str = "The cursor is not valid for this list.") -> ValidationFailed:
    return ValidationFailed(message, details={"cursor": [message]})


class KeysetPagination(PageNumberPagination):
    """The page-number form, or with ``?cursor=`` keyset pages: ``{next, previous,
    results}``, each link carrying an opaque cursor, no ``count``.

    Pages follow the list's ordering, which always ends with the id (see
    apps.core.ordering), so every row has one place. A cursor is bound to the ordering it
    was made for; used with another it is a 400.
    """

    cursor_query_param = "cursor"

    def count_key_before_query(self, request: Request, view: Any) -> str | None:
        if self.cursor_query_param in request.query_params:
            return None  # keyset pages have no total
        return super().count_key_before_query(request, view)

    def paginate_queryset(
        self, queryset: QuerySet, request: Request, view: Any = None
    ) -> list | None:
        self.keyset = self.cursor_query_param in request.query_params
        if not self.keyset:
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        self.page_size_now = self.get_page_size(request)
        ordering = with_tie_breaker(list(queryset.query.order_by) or queryset.model._meta.ordering)
        fields = [self._field(queryset, name) for name in ordering]
        descending = [name.startswith("-") for name in ordering]
        self.signature = ",".join(ordering)
        values, backwards = self._decode(request.query_params[self.cursor_query_param], fields)
        if backwards:
            queryset = queryset.order_by(*(_flip(name) for name in ordering))
        if values is not None:
            queryset = queryset.filter(_after(fields, values, descending, backwards=backwards))
        rows = list(queryset[: self.page_size_now + 1])
        more = len(rows) > self.page_size_now
        rows = rows[: self.page_size_now]
        if backwards:
            rows.reverse()
        positions = [[_position(row, field.attname) for field in fields] for row in rows]
        self.next_values = positions[-1] if rows and (more or backwards) else None
        self.previous_values = (
            positions[0] if rows and (values is not None and (more or not backwards)) else None
        )
        return rows

    @staticmethod
    def _field(queryset: QuerySet, name: str) -> Field:
        try:
            field = queryset.model._meta.get_field(name.lstrip("-"))
        except FieldDoesNotExist:
            raise _invalid_cursor("This ordering cannot be paged with a cursor.") from None
        if field.null:
            raise _invalid_cursor("This ordering cannot be paged with a cursor.")
        return field

    def _decode(self, token: str, fields: list[Field]) -> tuple[list[Any] | None, bool]:
        if not token:
            return None, False
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            payload = json.loads(raw)
            if not isinstance(payload, dict) or payload.get("o") != self.signature:
                raise ValueError
            values = payload["v"]
            if not isinstance(values, list) or len(values) != len(fields):
                raise ValueError
            values = [_clean(field, value) for field, value in zip(fields, values, strict=True)]
            return values, bool(payload.get("b"))
        except (ValueError, TypeError, KeyError, OverflowError, binascii.Error, ValidationError):
            raise _invalid_cursor() from None

    def _link(self, values: list[Any] | None, *, backwards: bool) -> str | None:
        if values is None:
            return None
        token = encode_cursor(self.signature, values, backwards=backwards)
        url = remove_query_param(self.request.build_absolute_uri(), self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, token)

    def get_paginated_response(self, data: Any) -> Response:
        if not self.keyset:
            return super().get_paginated_response(data)
        return Response(
            {
                "next": self._link(self.next_values, backwards=False),
                "previous": self._link(self.previous_values, backwards=True),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        response = super().get_paginated_response_schema(schema)
        response["required"] = ["next", "previous", "results"]
        response["properties"]["count"]["description"] = (
            "Rows matching the filters; in the page-number form only (absent with ?cursor=)."
        )
        return response

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": (
                    "Keyset paging: give it empty for the first page, then follow the `next` "
                    "and `previous` links, whose cursors it takes. The answer has no `count`, "
                    "and `page` is ignored. A cursor from another ordering is a 400."
                ),
                # Base64url (cursors are only ever made by encode_cursor): the bound holds
                # as sent, well below the server's request-line limit.
                "schema": {"type": "string", "maxLength": 2000, "pattern": "^[A-Za-z0-9_=-]*$"},
            },
        ]


def _position(row: Any, attname: str) -> Any:
    # A model instance, or a dict of ``values()`` (apps.core.list_rows).
    return row[attname] if isinstance(row, dict) else getattr(row, attname)


def _flip(name: str) -> str:
    return name[1:] if name.startswith("-") else f"-{name}"


def _after(
    fields: list[Field], values: list[Any], descending: list[bool], *, backwards: bool
) -> Q | Expression:
    """Rows after ``values`` in the ordering (before them when going ``backwards``)."""
    later = [desc == backwards for desc in descending]  # True: "after" means greater
    if len(set(later)) == 1:
        return RowComparison(fields, values, ">" if later[0] else "<")
    # Mixed directions have no row comparison: the same condition spelt out.
    condition = Q()
    for depth, field in enumerate(fields):
        step = Q(**{f"{field.attname}__{'gt' if later[depth] else 'lt'}": values[depth]})
        for earlier, value in zip(fields[:depth], values[:depth], strict=False):
            step &= Q(**{earlier.attname: value})
        condition |= step
    return condition
