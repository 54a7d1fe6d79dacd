"""Views, searches and exports seen on the way out of a request, by the resolved URL's
name: the apps serving them need not know analytics exists (nor import it)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from apps.analytics.events.capture import event_record
from apps.analytics.models import EventKind
from apps.core.tenancy import get_tenant

# view name -> (kind, what: an export's subject, else None)
CAPTURED: dict[str, tuple[str, str | None]] = {
    "estates:plot-detail": (EventKind.PLOT_VIEW, None),
    "estates:estate-detail": (EventKind.ESTATE_VIEW, None),
    "estates:plot-search": (EventKind.SEARCH, None),
    "audit:audit-log-export": (EventKind.EXPORT, "audit_log"),
    "analytics:analytics-sales-export": (EventKind.EXPORT, "analytics_sales"),
    "analytics:analytics-marketers-export": (EventKind.EXPORT, "analytics_marketers"),
    "analytics:analytics-clients-export": (EventKind.EXPORT, "analytics_clients"),
    "analytics:analytics-usage-export": (EventKind.EXPORT, "analytics_usage"),
}


def _object_id(raw: object) -> int | None:
    return int(raw) if isinstance(raw, str) and raw.isdigit() and len(raw) < 19 else None


class EventCaptureMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = request.resolver_match
        if (
            match is not None
            and request.method == "GET"
            and response.status_code == 200
            and match.view_name in CAPTURED
        ):
            tenant = get_tenant(request)
            if tenant is not None:
                kind, what = CAPTURED[match.view_name]
                event_record(
                    company_id=tenant.company_id,
                    kind=kind,
                    user_id=tenant.user_id,
                    role=tenant.role,
                    object_id=_object_id(match.kwargs.get("pk")),
                    metadata={"what": what} if what else None,
                )
        return response
