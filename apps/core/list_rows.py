"""List pages read as plain rows: ``.values()`` of the columns a serializer shows, turned
into exactly what that serializer answers, without a model instance or DRF's per-row
attribute walk.

A list page of 25 rows spent most of its time building model instances (and their
``post_init`` receivers), walking ``source`` paths and copying the serializer's fields on
every request, not in the database. ``RowReader`` is compiled once per serializer class
from the serializer's own fields, so the answer cannot drift from it: each readable
field is either a column (``plot_number``), a column across non-null foreign keys
(``estate.name`` as ``estate__name``) or a related object's id (``estate`` as
``estate_id``), and is shown by that field's own ``to_representation``. A serializer
with any other kind of field (a method field, a nested serializer, a path through a
nullable key) gets no reader, and its view keeps the serializer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, ClassVar

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, QuerySet
from django.utils import timezone
from rest_framework import serializers
from rest_framework.fields import ISO_8601, Field
from rest_framework.relations import PKOnlyObject
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from apps.core.filter_backends import view_filter_params
from apps.core.prepared import prepared_statements
from apps.core.roles import Role
from apps.core.tenancy import require_tenant
from apps.core.views import SeesOwnRowsMixin


@dataclass(frozen=True, slots=True)
class _Column:
    name: str  # the field's name in the answer
    path: str  # the ``values()`` path
    field: Field
    fast_datetime: bool
    related_id: bool = False  # shown as DRF shows a related object known by its id


class RowReader:
    """The ``values()`` paths a serializer reads and the answer it gives for each row."""

    def __init__(self, columns: Sequence[_Column]) -> None:
        self.columns = tuple(columns)
        self.paths = tuple(column.path for column in columns)

    def represent(self, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        zone = timezone.get_current_timezone()
        shown = []
        for row in rows:
            out: dict[str, Any] = {}
            for column in self.columns:
                value = row[column.path]
                if value is None:
                    out[column.name] = None
                elif column.fast_datetime and timezone.is_aware(value):
                    out[column.name] = _iso(value, zone)
                elif column.related_id:
                    out[column.name] = column.field.to_representation(PKOnlyObject(value))
                else:
                    out[column.name] = column.field.to_representation(value)
            shown.append(out)
        return shown


def _iso(value: datetime, zone: Any) -> str:
    # DRF's DateTimeField for an aware value, the ISO 8601 format, no field time zone.
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _column(model: type[Model], name: str, field: Field) -> _Column | None:
    if field.write_only:
        return None
    attrs = field.source_attrs
    if isinstance(field, serializers.PrimaryKeyRelatedField) and len(attrs) == 1:
        try:
            relation = model._meta.get_field(attrs[0])
        except FieldDoesNotExist:
            raise _Unsupported from None
        if not _forward_key(relation):
            raise _Unsupported
        return _Column(name, relation.attname, field, fast_datetime=False, related_id=True)
    if isinstance(field, serializers.RelatedField | serializers.BaseSerializer):
        raise _Unsupported
    if type(field) is serializers.SerializerMethodField or field.source == "*":
        raise _Unsupported
    if type(field).get_attribute is not Field.get_attribute:
        raise _Unsupported
    current = model
    for depth, attr in enumerate(attrs):
        try:
            model_field = current._meta.get_field(attr)
        except FieldDoesNotExist:
            raise _Unsupported from None
        last = depth == len(attrs) - 1
        if last:
            # A foreign key named by its column (``plot.estate_id``) is that column.
            if model_field.is_relation and attr != model_field.attname:
                raise _Unsupported
        else:
            # Through a nullable key DRF would skip the field; keep that case to DRF.
            if not _forward_key(model_field) or model_field.null:
                raise _Unsupported
            current = model_field.related_model
    fast = (
        type(field) is serializers.DateTimeField
        and getattr(field, "format", api_settings.DATETIME_FORMAT) in (ISO_8601, "iso-8601")
        and api_settings.DATETIME_FORMAT == ISO_8601
        and getattr(field, "timezone", None) is None
    )
    return _Column(name, "__".join(attrs), field, fast_datetime=fast)


def _forward_key(field: Any) -> bool:
    """A foreign key or one-to-one key held on this model's table."""
    return bool(field.concrete and (field.many_to_one or field.one_to_one))


class _Unsupported(Exception):
    pass


@cache
def row_reader(serializer_class: type[serializers.Serializer]) -> RowReader | None:
    """The reader of ``serializer_class``'s answers, or None if one of its fields cannot
    be read from columns (then the serializer answers)."""
    if not issubclass(serializer_class, serializers.ModelSerializer):
        return None
    model = serializer_class.Meta.model
    serializer = serializer_class(context={})
    try:
        columns = [_column(model, name, field) for name, field in serializer.fields.items()]
    except _Unsupported:
        return None
    return RowReader([column for column in columns if column is not None])


class ValuesListMixin:
    """``list`` answered from ``values()`` rows through ``row_reader`` (see above), with
    the same filters, ordering, pagination and answer as the serializer's list."""

    # Columns shown from a small map kept in memory rather than joined on every page:
    # {values() path: (the key's path, the view's method giving {key: value} for keys)}.
    values_from_memory: ClassVar[dict[str, tuple[str, str]]] = {}

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        reader = row_reader(self.get_serializer_class())  # type: ignore[attr-defined]
        if reader is None:
            return super().list(request, *args, **kwargs)  # type: ignore[misc]
        queryset: QuerySet = self.filter_queryset(self.get_queryset())  # type: ignore[attr-defined]
        paths = [path for path in reader.paths if path not in self.values_from_memory]
        paths += [key for key, _ in self.values_from_memory.values() if key not in paths]
        extra = [name for name in ordering_columns(queryset) if name not in paths]
        rows = queryset.values(*paths, *extra)
        with (
            prepared_statements()
            if self._plan_fits_every_company(request, queryset)
            else nullcontext()
        ):
            page = self.paginate_queryset(rows)  # type: ignore[attr-defined]
            if page is None:
                return Response(reader.represent(self._with_values_from_memory(list(rows))))
        shown = reader.represent(self._with_values_from_memory(page))
        return self.get_paginated_response(shown)  # type: ignore[attr-defined]

    def _with_values_from_memory(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for path, (key, method) in self.values_from_memory.items():
            values = getattr(self, method)({row[key] for row in rows})
            for row in rows:
                row[path] = values.get(row[key])
        return rows

    def _plan_fits_every_company(self, request: Request, queryset: QuerySet) -> bool:
        """Whether the page's query depends on no value but the company's id (and a
        cursor's position): the request names no filter and the caller sees all of the
        company's rows. Then one prepared plan serves every company and page; a filter's
        or a person's rows may want a plan of their own."""
        if (
            isinstance(self, SeesOwnRowsMixin)
            and require_tenant(request).role != Role.COMPANY_ADMIN
        ):
            return False
        return not view_filter_params(request, self, queryset)


def ordering_columns(queryset: QuerySet) -> list[str]:
    """The columns a queryset is ordered by (as attnames) and its id, for keyset cursors."""
    names = list(queryset.query.order_by) or list(queryset.model._meta.ordering)
    columns = [queryset.model._meta.pk.attname]
    for name in names:
        bare = name.lstrip("-")
        if bare == "pk":
            bare = queryset.model._meta.pk.attname
        try:
            bare = queryset.model._meta.get_field(bare).attname
        except FieldDoesNotExist:
            continue
        if bare not in columns:
            columns.append(bare)
    return columns
