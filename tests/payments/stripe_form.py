"""Stripe's request encoding, read back: form fields in bracket notation to nested values.

The SDK (stripe/_encode.py) sends ``application/x-www-form-urlencoded`` bodies, and query
strings for GET and DELETE, with nested keys: ``line_items[0][price]=price_x``,
``metadata[company_id]=7``, ``expand[0]=payments`` (``expand[]`` when a list's own url
carries one). Values stay strings, as the API receives them: ``true``, ``1000``, and
``""`` (which unsets a field, ``metadata[key]=`` removing that key).
"""

import importlib
import re
import sys
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl

_KEY = re.compile(r"^(?P<base>[^\[\]]+)(?P<rest>(?:\[[^\[\]]*\])*)$")
_PART = re.compile(r"\[([^\[\]]*)\]")

# Keys under these are the caller's own, never list indexes.
FREE_FORM = frozenset({"metadata"})


def decode_form(text: str) -> dict[str, Any]:
    """A form-encoded body or query string as nested dicts and lists of strings."""
    return decode_pairs(parse_qsl(text, keep_blank_values=True))


def decode_pairs(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for key, value in pairs:
        match = _KEY.match(key)
        parts = [match["base"], *_PART.findall(match["rest"])] if match else [key]
        node = tree
        for index, part in enumerate(parts):
            if part == "":  # "[]": the next element of a list
                part = str(len(node))
            if index == len(parts) - 1:
                node[part] = value
            else:
                child = node.setdefault(part, {})
                if not isinstance(child, dict):  # "a=1&a[b]=2": the later, nested one wins
                    child = node[part] = {}
                node = child
    return _listify(tree, None)


def _listify(node: Any, name: str | None) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {key: _listify(value, key) for key, value in node.items()}
    indexes = sorted(int(key) for key in converted if key.isdigit())
    if name not in FREE_FORM and converted and indexes == list(range(len(converted))):
        return [converted[str(i)] for i in indexes]
    return converted


def as_bool(value: Any) -> bool:
    """A form value as a boolean, as Stripe reads ``true``/``false``."""
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise ValueError(f"Invalid boolean: {value}")


def as_int(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    raise ValueError(f"Invalid integer: {value}")


# --- what the SDK's params types allow --------------------------------------------------------

_TYPED_NAME = re.compile(r"\b([A-Z][A-Za-z0-9]*Params[A-Za-z0-9]*)\b")


def params_type(name: str) -> type:
    """The SDK's TypedDict for an operation: "customer_create" -> CustomerCreateParams,
    "checkout/session_create" -> stripe.params.checkout SessionCreateParams."""
    package, _, operation = name.rpartition("/")
    module_name = ".".join(filter(None, ["stripe.params", package, f"_{operation}_params"]))
    class_name = "".join(word.capitalize() for word in operation.split("_")) + "Params"
    return getattr(importlib.import_module(module_name), class_name)


def _nested_type(annotation: Any, module: Any) -> type | None:
    """The TypedDict a field's annotation names (a nested object, or a list of them)."""
    for name in _TYPED_NAME.findall(str(annotation)):
        candidate = getattr(module, name, None)
        if isinstance(candidate, type) and hasattr(candidate, "__required_keys__"):
            return candidate
    return None


def param_problems(params: Mapping[str, Any], typed: type) -> list[tuple[str, str, str]]:
    """(code, param, message) for each parameter the SDK's types do not know, and each
    required one missing, in Stripe's wording ("Received unknown parameter: x")."""
    module = sys.modules[typed.__module__]
    problems: list[tuple[str, str, str]] = []

    def walk(value: Any, current: type | None, prefix: str) -> None:
        if isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, current, f"{prefix}[{index}]")
            return
        if current is None or not isinstance(value, Mapping):
            return
        fields = current.__annotations__
        for key, item in value.items():
            name = f"{prefix}[{key}]" if prefix else key
            if key not in fields:
                problems.append(("parameter_unknown", name, f"Received unknown parameter: {name}"))
            else:
                walk(item, _nested_type(fields[key], module), name)
        for key in sorted(current.__required_keys__ - set(value)):
            name = f"{prefix}[{key}]" if prefix else key
            problems.append(("parameter_missing", name, f"Missing required param: {name}."))

    walk(params, typed, "")
    return problems
