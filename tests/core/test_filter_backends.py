"""The default filter backend builds a FilterSet of the filters a request names only."""

import django_filters
import pytest
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from apps.core import filter_backends
from apps.core.filter_backends import filter_params, named_filters, narrowed
from apps.estates.filters import PlotFilter
from apps.estates.models import Estate, Plot

factory = APIRequestFactory()


def _request(query: str) -> Request:
    return Request(factory.get(f"/api/plots/?{query}"))


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("", set()),
        ("page=2&ordering=price", set()),
        ("search=lekki", {"search"}),
        ("search=lekki&status=available&estate=3", {"search", "status", "estate"}),
        # A suffixed parameter names its filter too: "min_price_per_sqm" also reads as
        # "min_price" with a suffix, which, given no value, filters nothing.
        ("min_price_per_sqm=10", {"min_price_per_sqm", "min_price"}),
        ("min_price=10", {"min_price"}),
    ],
)
def test_the_named_filters_are_those_with_a_parameter(query, names):
    assert named_filters(_request(query), PlotFilter) == names


def test_a_narrowed_filterset_holds_only_the_named_filters_and_is_kept():
    names = frozenset({"search", "status"})
    first = narrowed(PlotFilter, names)
    assert set(first.base_filters) == names
    assert issubclass(first, PlotFilter)
    assert narrowed(PlotFilter, names) is first
    # The original is untouched.
    assert {"search", "status", "state", "min_price"} <= set(PlotFilter.base_filters)


def test_narrowed_classes_kept_are_bounded(monkeypatch):
    monkeypatch.setattr(filter_backends, "_narrowed_filtersets", {})
    monkeypatch.setattr(filter_backends, "NARROWED_KEPT", 2)
    for name in ("search", "status", "estate", "state"):
        narrowed(PlotFilter, frozenset({name}))
    assert len(filter_backends._narrowed_filtersets) == 2
    # Beyond the bound a class is still made for the request.
    assert set(narrowed(PlotFilter, frozenset({"lga"})).base_filters) == {"lga"}


@pytest.mark.django_db
def test_a_narrowed_filterset_validates_and_filters_as_the_whole_one():
    data = {"status": "nonsense", "min_price": "abc"}
    whole = PlotFilter(data=data, queryset=Plot.objects.none())
    narrow = narrowed(PlotFilter, frozenset(data))(data=data, queryset=Plot.objects.none())
    assert not whole.is_valid() and not narrow.is_valid()
    assert narrow.errors == whole.errors


def test_a_narrowed_filterset_makes_its_form_class_once_and_each_form_its_own_fields():
    names = frozenset({"search", "status"})
    first = narrowed(PlotFilter, names)(data={"status": "nonsense"}, queryset=Plot.objects.none())
    second = narrowed(PlotFilter, names)(data={"status": "sold"}, queryset=Plot.objects.none())
    assert type(first.form) is type(second.form)
    assert not first.is_valid() and second.is_valid()
    assert first.form.fields["status"] is not second.form.fields["status"]
    assert "status" in first.errors and not second.errors


class _ByRequest(django_filters.FilterSet):
    # A choice of rows that depends on who asks: its form is made for each request.
    estate = django_filters.ModelChoiceFilter(queryset=lambda request: Estate.objects.none())

    class Meta:
        model = Plot
        fields = ["estate"]


def test_a_filterset_whose_fields_depend_on_the_request_makes_a_form_class_each_time():
    names = frozenset({"estate"})
    first = narrowed(_ByRequest, names)(data={}, queryset=Plot.objects.none())
    second = narrowed(_ByRequest, names)(data={}, queryset=Plot.objects.none())
    assert first.get_form_class() is not second.get_form_class()


def test_filter_params_are_worked_out_once_per_request(monkeypatch):
    request = _request("search=lekki&page=2")
    assert filter_params(request, PlotFilter) == [("search", ["lekki"])]
    monkeypatch.setattr(PlotFilter, "base_filters", {})  # read again, it would find none
    assert filter_params(request, PlotFilter) == [("search", ["lekki"])]
    assert filter_params(_request("search=lekki"), PlotFilter) == []
