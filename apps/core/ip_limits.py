"""Per-IP limits for endpoints without a company (login, signup, ...), against brute force.

Built on django-ratelimit, counting in the shared cache. Behind a load balancer the
client's address is taken from X-Forwarded-For, trusting exactly TRUSTED_PROXY_COUNT
proxies (set it to how many proxies add themselves; 0 means use REMOTE_ADDR).
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.decorators import method_decorator
from django_ratelimit.core import _split_rate
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited


def client_ip(group: str | None, request: HttpRequest) -> str:
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def rate_seconds(rate: str) -> int:
    """The window of a django-ratelimit rate ("10/m" -> 60): how long a caller may wait."""
    return _split_rate(rate)[1]


class TooManyAttempts(Ratelimited):
    """A per-IP limit refused the request; ``retry_after`` is its window in seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Rate limited; retry after {retry_after} seconds.")
        self.retry_after = retry_after


def limit_by_ip(setting: str) -> Callable[[Any], Any]:
    """Decorate a view method: at most ``settings.<setting>`` calls per client IP."""

    def rate(group: str, request: HttpRequest) -> str:
        return getattr(settings, setting)

    # No group: each view counts on its own (django-ratelimit names the group after it),
    # so a burst of token refreshes cannot use up the budget for logging in.
    count = ratelimit(key=client_ip, rate=rate, block=False)

    def decorator(view_method: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view_method)
        def refuse_when_limited(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            # Refused here rather than by block=True so the answer can say how long to
            # wait: the limit's whole window (an hour for signups), not a fixed minute.
            if request.limited:
                raise TooManyAttempts(rate_seconds(rate(setting, request)))
            return view_method(request, *args, **kwargs)

        return count(refuse_when_limited)

    return method_decorator(decorator)
