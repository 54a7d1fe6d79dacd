"""App boundaries that import-linter cannot see.

A serializer's ``source="marketer.user.email"`` imports nothing, yet joins into another
app's tables and hands its rows across. Display data from another app comes from that
app's selectors instead (apps.core.serializers.CrossAppDisplayMixin). And error codes
come from the catalogues (``ErrorCode`` in apps/core/errors.py and each app's
errors.py), never from string literals scattered in the code.
"""

import inspect
import re
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from rest_framework import serializers

ROOT = Path(__file__).resolve().parents[2]
PROJECT_APPS = [config for config in apps.get_app_configs() if config.name.startswith("apps.")]


def _model_serializers() -> list[type[serializers.ModelSerializer]]:
    found = []
    for config in PROJECT_APPS:
        try:
            module = import_module(f"{config.name}.serializers")
        except ModuleNotFoundError:
            continue
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(cls, serializers.ModelSerializer)
                and cls.__module__ == module.__name__
                and hasattr(cls, "Meta")
            ):
                found.append(cls)
    return found


def _apps_crossed(model: type, source: str) -> set[str]:
    """Labels of the apps whose models ``source`` walks into, starting from ``model``."""
    crossed = set()
    for attribute in source.split(".")[:-1]:
        try:
            field = model._meta.get_field(attribute)
        except FieldDoesNotExist:
            break  # a property or method: nothing more to follow
        if not field.is_relation:
            break
        model = field.related_model
        crossed.add(model._meta.app_label)
    return crossed


@pytest.mark.parametrize("serializer_class", _model_serializers(), ids=lambda cls: cls.__name__)
def test_serializer_sources_stay_inside_their_app(serializer_class):
    model = serializer_class.Meta.model
    home = model._meta.app_label
    for name, field in serializer_class().fields.items():
        if field.source == "*":
            continue
        foreign = _apps_crossed(model, field.source) - {home}
        assert not foreign, (
            f"{serializer_class.__name__}.{name} reads {field.source!r} from {foreign}: "
            "read another app's display data through its selectors"
        )


def test_the_check_catches_a_crossing_source():
    from apps.marketers.models import MarketerAffiliation

    assert _apps_crossed(MarketerAffiliation, "marketer.user.email") == {"marketers", "accounts"}
    assert _apps_crossed(MarketerAffiliation, "marketer.user_id") == {"marketers"}


STRING_CODE = re.compile(r"""\bcode\s*=\s*["']""")


def test_error_codes_come_from_the_catalogues():
    offenders = []
    for path in sorted((ROOT / "apps").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if STRING_CODE.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_catalogue_codes_are_unique_within_each_app():
    for config in [None, *PROJECT_APPS]:
        module_name = "apps.core.errors" if config is None else f"{config.name}.errors"
        try:
            catalogue = import_module(module_name).ErrorCode
        except ModuleNotFoundError:
            continue
        values = [member.value for member in catalogue]
        assert len(values) == len(set(values)), module_name
