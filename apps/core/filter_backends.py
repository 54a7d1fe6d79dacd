"""The default filter backend: django-filter's, which skips its work when the request
names none of the view's filters.

Building a FilterSet and its form (deep copies of every filter and form field) cost about
a fifth of an unfiltered list page, to filter nothing. A view's ``filterset_fields``
class is built once, not on every request. A request that names some filters gets a
FilterSet of those alone (a filter not named has no value and filters nothing), so
``?search=`` does not copy the plot list's other fifteen filters and their form fields.
"""

from typing import Any

from django.db.models import QuerySet
from django_filters.filters import QuerySetRequestMixin
from django_filters.filterset import BaseFilterSet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.request import Request

_auto_filtersets: dict[tuple[type, type], type[BaseFilterSet] | None] = {}
_narrowed_filtersets: dict[tuple[type, frozenset[str]], type[BaseFilterSet]] = {}
# Requests choose which filters they name: beyond this many combinations, a narrowed
# class is made for the request and not kept.
NARROWED_KEPT = 256


def filter_params(
    request: Request, filterset_class: type[BaseFilterSet] | None
) -> list[tuple[str, list[str]]]:
    """The request's query parameters that ``filterset_class`` reads (a filter's name, or
    its name with a suffix such as ``_min`` or ``_after``), sorted. Worked out once per
    request (the filtering, the total's cache key and the choice of plan all ask)."""
    if filterset_class is None:
        return []
    memo = getattr(request, "_filter_params", None)
    if memo is None:
        memo = request._filter_params = {}
    if filterset_class not in memo:
        names = filterset_class.base_filters
        memo[filterset_class] = sorted(
            (key, request.query_params.getlist(key))
            for key in request.query_params
            if key in names or any(key.startswith(f"{name}_") for name in names)
        )
    return memo[filterset_class]


def named_filters(request: Request, filterset_class: type[BaseFilterSet]) -> frozenset[str]:
    """The filters of ``filterset_class`` that the request gives a parameter for."""
    return frozenset(
        name
        for name in filterset_class.base_filters
        for key in request.query_params
        if key == name or key.startswith(f"{name}_")
    )


def narrowed(filterset_class: type[BaseFilterSet], names: frozenset[str]) -> type[BaseFilterSet]:
    """``filterset_class`` with only the filters ``names`` (its validation and methods
    unchanged), whose form class is made once, not for every request, when no filter's
    field depends on the request."""
    key = (filterset_class, names)
    found = _narrowed_filtersets.get(key)
    if found is None:
        found = type(filterset_class.__name__, (filterset_class,), {})
        # After the class exists: its metaclass recomputes base_filters from the fields.
        found.base_filters = {
            name: flt for name, flt in filterset_class.base_filters.items() if name in names
        }
        if not any(isinstance(flt, QuerySetRequestMixin) for flt in found.base_filters.values()):
            found.get_form_class = _form_class_made_once(found)
        if len(_narrowed_filtersets) < NARROWED_KEPT:
            _narrowed_filtersets[key] = found
    return found


def _form_class_made_once(filterset_class: type[BaseFilterSet]) -> Any:
    # django-filter builds a form class (from copies of every filter) for each FilterSet
    # it makes; each form still copies the class's fields for itself.
    made: list[type] = []

    def get_form_class(self: BaseFilterSet) -> type:
        if not made:
            made.append(super(filterset_class, self).get_form_class())
        return made[0]

    return get_form_class


class LazyFilterBackend(DjangoFilterBackend):
    def get_filterset_class(self, view: Any, queryset: QuerySet | None = None) -> Any:
        if getattr(view, "filterset_class", None) or queryset is None:
            return super().get_filterset_class(view, queryset)
        key = (type(view), queryset.model)
        if key not in _auto_filtersets:
            _auto_filtersets[key] = super().get_filterset_class(view, queryset)
        return _auto_filtersets[key]

    def get_filterset(self, request: Request, queryset: QuerySet, view: Any) -> Any:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return None
        names = named_filters(request, filterset_class)
        kwargs = self.get_filterset_kwargs(request, queryset, view)
        return narrowed(filterset_class, names)(**kwargs)

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        if not view_filter_params(request, view, queryset):
            return queryset
        return super().filter_queryset(request, queryset, view)


def view_filter_params(
    request: Request, view: Any, queryset: QuerySet | None = None
) -> list[tuple[str, list[str]]]:
    """``filter_params`` of the view's filter set (``queryset``: the view's rows, needed
    only by a view that declares fields, not a filter set, and built when not given)."""
    if queryset is None and not getattr(view, "filterset_class", None):
        queryset = view.get_queryset()
    return filter_params(request, LazyFilterBackend().get_filterset_class(view, queryset))
