"""Every registered API route, with the methods its view answers."""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# The catch-all that answers unknown /api/ paths with a JSON 404 is not an endpoint.
NOT_ROUTES = {"api-not-found"}
HTTP_METHODS = ("get", "post", "put", "patch", "delete")
PK_PATTERNS = (re.compile(r"\(\?P<pk>[^)]*\)"), re.compile(r"<(?:\w+:)?pk>"))


@dataclass(frozen=True)
class Route:
    name: str
    template: str  # e.g. "/api/company/members/{pk}/"
    methods: tuple[str, ...]

    @property
    def is_detail(self) -> bool:
        return "{pk}" in self.template

    def path(self, pk: object = None) -> str:
        return self.template.replace("{pk}", str(pk))


def _clean(pattern: str) -> str:
    pattern = pattern.lstrip("^").rstrip("$")
    for pk in PK_PATTERNS:
        pattern = pk.sub("{pk}", pattern)
    return pattern


def _methods(callback: object) -> tuple[str, ...]:
    actions = getattr(callback, "actions", None)
    if actions:  # a DRF viewset: the router's method -> action map
        return tuple(method for method in HTTP_METHODS if method in actions)
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    return tuple(method for method in HTTP_METHODS if hasattr(view_class, method))


def _walk(patterns: list, prefix: str) -> list[Route]:
    routes = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            routes += _walk(entry.url_patterns, prefix + _clean(str(entry.pattern)))
        elif isinstance(entry, URLPattern):
            template = "/" + prefix + _clean(str(entry.pattern))
            routes.append(Route(entry.name or template, template, _methods(entry.callback)))
    return routes


def api_routes() -> list[Route]:
    routes = [
        route
        for route in _walk(get_resolver().url_patterns, "")
        if route.template.startswith("/api/") and route.name not in NOT_ROUTES
    ]
    unparsed = [r.template for r in routes if "(?P" in r.template or "<" in r.template]
    assert not unparsed, f"routes with parameters this walker does not understand: {unparsed}"
    return routes
