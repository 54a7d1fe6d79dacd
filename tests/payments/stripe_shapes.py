"""What the pinned stripe-python's typed resources say an object looks like.

The SDK's resource classes (stripe/_invoice.py, _subscription.py, ...) are generated from
the OpenAPI spec of the API version it pins: their annotations name every field,
``Optional[...]`` marks the fields Stripe may send as null or leave out, and
``_inner_class_types`` names the class of each nested object. Checking test data against
them catches a field the pinned version no longer has (``invoice.subscription``), a
required one left out, or a null or an amount of the wrong type, before a test parses it.
"""

import importlib
import types
import typing
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from typing import Any

from stripe._object_classes import OBJECT_CLASSES
from stripe._stripe_object import StripeObject

# What an API list looks like (stripe/_list_object.py); its items are checked on their own.
LIST_FIELDS = frozenset({"object", "data", "has_more", "url"})


def sdk_class(object_name: str) -> type[StripeObject]:
    """The SDK class for an object's ``object`` value ("invoice", "checkout.session", ...)."""
    module_name, class_name = OBJECT_CLASSES[object_name]
    return getattr(importlib.import_module(module_name), class_name)


@cache
def sdk_fields(cls: type[StripeObject]) -> dict[str, Any]:
    """Every field the class declares (its own and its bases'), with its annotation."""
    fields: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        if klass is StripeObject or not issubclass(klass, StripeObject):
            continue
        for name, annotation in vars(klass).get("__annotations__", {}).items():
            if not name.startswith("_") and name != "OBJECT_NAME":
                fields[name] = annotation
    return fields


def is_optional(annotation: Any) -> bool:
    return type(None) in typing.get_args(annotation)


def shape_problems(obj: Mapping[str, Any], cls: type[StripeObject] | None = None) -> list[str]:
    """Where ``obj`` (a dict as Stripe sends it) departs from the SDK's types; [] if nowhere.

    The class comes from ``obj["object"]``; nested objects without one (``invoice.parent``)
    are checked against the inner class their parent's SDK class names.
    """
    problems: list[str] = []
    _check(obj, cls, obj.get("object", "?"), problems)
    return problems


def _check(value: Any, cls: type[StripeObject] | None, path: str, problems: list[str]) -> None:
    if isinstance(value, list):
        for index, item in enumerate(value):
            _check(item, cls, f"{path}[{index}]", problems)
        return
    if not isinstance(value, Mapping):
        return
    object_name = value.get("object")
    if object_name == "list":
        if set(value) != LIST_FIELDS:
            problems.append(f"{path}: a list has exactly {sorted(LIST_FIELDS)}")
        _check(value.get("data", []), None, f"{path}.data", problems)
        return
    if isinstance(object_name, str) and object_name in OBJECT_CLASSES:
        cls = sdk_class(object_name)
    if cls is None:
        return  # free-form (metadata, previous_attributes) or a class the SDK leaves untyped
    fields = sdk_fields(cls)
    for name in sorted(set(value) - set(fields)):
        problems.append(f"{path}.{name}: {cls.__name__} has no such field")
    for name, annotation in sorted(fields.items()):
        if name not in value:
            if not is_optional(annotation):
                problems.append(f"{path}.{name}: required by {cls.__name__}, missing")
            continue
        problem = _scalar_problem(annotation, value[name])
        if problem:
            problems.append(f"{path}.{name}: {problem}")
    inner_classes = getattr(cls, "_inner_class_types", {})
    inner_dicts = getattr(cls, "_inner_class_dicts", [])
    for name, item in value.items():
        inner = inner_classes.get(name)
        if name in inner_dicts and isinstance(item, Mapping):
            for key, sub in item.items():
                _check(sub, inner, f"{path}.{name}.{key}", problems)
        else:
            _check(item, inner, f"{path}.{name}", problems)


_SCALARS: dict[Any, tuple[type, ...]] = {
    int: (int,),
    float: (int, float),
    bool: (bool,),
    str: (str,),
    Decimal: (str,),  # decimal strings travel as JSON strings ("2000")
}


def _scalar_problem(annotation: Any, value: Any) -> str | None:
    """A null where the SDK says never null, or a plain scalar of the wrong JSON type."""
    if value is None:
        return None if is_optional(annotation) else "null, but the SDK says it is never null"
    args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType) and len(args) == 1:
        annotation = args[0]
    if typing.get_origin(annotation) is typing.Literal:
        allowed = typing.get_args(annotation)
        return None if value in allowed else f"{value!r} is not one of {allowed}"
    accepted = _SCALARS.get(annotation)
    if accepted is None:
        return None
    if isinstance(value, bool) and bool not in accepted:
        return f"{value!r} is a bool, the SDK expects {annotation.__name__}"
    if not isinstance(value, accepted):
        return f"{value!r} is a {type(value).__name__}, the SDK expects {annotation.__name__}"
    return None
