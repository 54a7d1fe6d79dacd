"""Who is acting, from where: what every entry written during a request or a task carries.

The middleware keeps the request in a context variable; the actor is read from it only
when an entry is written, after DRF has authenticated the caller. Celery tasks have no
request: their entries are the system's, or Stripe's for the webhook processing tasks.
"""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse

from apps.audit.models import ActorKind
from apps.core.ip_limits import client_ip

logger = logging.getLogger(__name__)
USER_AGENT_MAX = 512

_request: ContextVar[HttpRequest | None] = ContextVar("audit_request", default=None)
_background_actor: ContextVar[str | None] = ContextVar("audit_background_actor", default=None)


@dataclass(frozen=True, slots=True)
class Actor:
    kind: str
    user: Any = None
    api_key_id: int | None = None


def current_request() -> HttpRequest | None:
    return _request.get()


def current_actor() -> Actor:
    # A task's own actor first: an eager task (the embedded mode) runs inside the request
    # that enqueued it, yet it is the system's (or Stripe's) doing, as in a worker.
    background = _background_actor.get()
    if background is not None:
        return Actor(kind=background)
    request = _request.get()
    if request is None:
        return Actor(kind=ActorKind.SYSTEM)
    user = getattr(request, "user", None)
    if isinstance(user, get_user_model()) and user.is_authenticated:
        return Actor(kind=ActorKind.USER, user=user)
    api_key_id = getattr(user, "api_key_id", None)
    if api_key_id is not None:
        return Actor(kind=ActorKind.API_KEY, api_key_id=api_key_id)
    return Actor(kind=ActorKind.ANONYMOUS)


def request_ip(request: HttpRequest) -> str | None:
    """The client's address, trusting only TRUSTED_PROXY_COUNT proxies' X-Forwarded-For."""
    return client_ip(None, request) or None


def request_user_agent(request: HttpRequest) -> str:
    return request.headers.get("User-Agent", "")[:USER_AGENT_MAX]


@contextmanager
def acting_in_background(kind: str) -> Iterator[None]:
    """Entries written inside are attributed to ``kind`` (a Celery task's own actor)."""
    token = _background_actor.set(kind)
    try:
        yield
    finally:
        _background_actor.reset(token)


class AuditContextMiddleware:
    """Keeps the request at hand for the entries written while it is served, and records
    the failed API calls (5xx and 429) it answers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request.set(request)
        try:
            response = self.get_response(request)
            if request.path_info.startswith("/api/") and (
                response.status_code >= 500 or response.status_code == 429
            ):
                from apps.audit.failed_calls import failed_call_record

                try:
                    failed_call_record(request=request, status=response.status_code)
                except Exception:
                    # The answer stands whatever happens here: a busy or unreachable
                    # database (often why the call failed) must not turn it into a 500.
                    logger.warning("Could not record a failed API call", exc_info=True)
            return response
        finally:
            _request.reset(token)
