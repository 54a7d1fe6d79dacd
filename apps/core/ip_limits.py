"""Per-IP limits for endpoints without a company (login, signup, ...), against brute force,
and a per-account limit on logging in (the API's and the admin's alike).

Built on django-ratelimit, counting in the ``limits`` cache (config/caches.py): Redis,
shared by every process, or each process's memory while Redis cannot be reached, so an
outage never switches these limits off. Behind a load balancer the client's address is
taken from X-Forwarded-For, trusting exactly TRUSTED_PROXY_COUNT proxies (set it to how
many proxies add themselves; 0 means use REMOTE_ADDR).
"""

import hashlib
import math
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.http import HttpRequest
from django.utils.decorators import method_decorator
from django_ratelimit.core import _split_rate, is_ratelimited
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited

# One group for the API's and the admin's login: switching doors buys no more guesses.
LOGIN_ACCOUNT_GROUP = "login-account"
# How long an account's epoch (see login_lock_clear) is kept at least.
EPOCH_LIFETIME = 24 * 60 * 60


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
    """A limit refused the request; ``retry_after`` is its window in seconds.

    ``message`` is what the caller is told; the exception handler has a default for it.
    """

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        super().__init__(f"Rate limited; retry after {retry_after} seconds.")
        self.retry_after = retry_after
        self.message = message


def too_many_logins_message(retry_after: int) -> str:
    minutes = max(1, math.ceil(retry_after / 60))
    return (
        f"Too many login attempts. For your security, try again in {minutes} "
        f"minute{'s' if minutes != 1 else ''}."
    )


def attempt_refused(request: HttpRequest, *, group: str, key: str, setting: str) -> int | None:
    """Count one attempt by ``key`` against ``settings.<setting>`` (a django-ratelimit rate).

    Every attempt counts, refused ones too. Returns how long to wait, in seconds (the
    limit's whole window), if this attempt is over the limit; otherwise None.
    """
    rate: str = getattr(settings, setting)
    if is_ratelimited(
        request, group=group, key=lambda _group, _request: key, rate=rate, increment=True
    ):
        return rate_seconds(rate)
    return None


def _account_digest(account: str) -> str:
    return hashlib.sha256(account.encode()).hexdigest()


def _epoch_key(digest: str) -> str:
    return f"login-account-epoch:{digest}"


def limits_cache() -> BaseCache:
    """The cache django-ratelimit counts in (``RATELIMIT_USE_CACHE``)."""
    return caches[settings.RATELIMIT_USE_CACHE]


def login_refused_for_account(request: HttpRequest, *, account: str) -> int | None:
    """Count a login attempt for the account typed (its normalized email), whatever door.

    Attempts at unknown emails count the same, so a lockout says nothing about which
    accounts exist. The email is hashed: addresses never sit in the cache. The count is
    kept per epoch of the account, so ``login_lock_clear`` starts it afresh.
    """
    digest = _account_digest(account)
    epoch = limits_cache().get(_epoch_key(digest), "0")
    return attempt_refused(
        request,
        group=LOGIN_ACCOUNT_GROUP,
        key=f"{digest}:{epoch}",
        setting="LOGIN_ACCOUNT_RATE_LIMIT",
    )


def login_lock_clear(*, account: str) -> None:
    """Give the account (its normalized email) a fresh count of login attempts.

    For when its owner has just proved who they are by setting a new password: a lockout
    someone else caused must not keep them out. Call it once the new password is stored
    (on commit), so the old one never gets a fresh budget.
    """
    # A new random epoch, not an increment: one atomic write, never a value seen before.
    # Once it expires the account is back on epoch "0", whose counters are long gone by
    # then: the epoch lives at least twice the window they live in.
    lifetime = max(EPOCH_LIFETIME, 2 * rate_seconds(settings.LOGIN_ACCOUNT_RATE_LIMIT))
    limits_cache().set(_epoch_key(_account_digest(account)), secrets.token_hex(8), timeout=lifetime)


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

    def limit(view_method: Callable[..., Any]) -> Callable[..., Any]:
        limited = method_decorator(decorator)(view_method)
        limited.ip_limited = True  # the OpenAPI schema documents its 429
        return limited

    return limit
