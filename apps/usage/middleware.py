"""Rate-limit headers on every API response that was counted against a company.

Both conventions: GitHub's X-RateLimit-Limit/Remaining/Reset (for the window closer to
running out; Reset is a Unix time) and the IETF httpapi draft's structured fields,
RateLimit-Policy (each policy's quota and window) and RateLimit (remaining and seconds
to reset, per policy).
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

HOUR_SECONDS = 3600
DAY_SECONDS = 86400


class RateLimitHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        state = getattr(request, "rate_limit", None)
        if state is None:
            return response
        response["X-RateLimit-Limit"] = str(state.limit)
        response["X-RateLimit-Remaining"] = str(state.remaining)
        response["X-RateLimit-Reset"] = str(int(state.reset_at.timestamp()))
        response["RateLimit-Policy"] = (
            f'"hourly";q={state.hourly_limit};w={HOUR_SECONDS}, '
            f'"daily";q={state.daily_limit};w={DAY_SECONDS}'
        )
        response["RateLimit"] = (
            f'"hourly";r={state.hourly_remaining};t={state.hourly_reset}, '
            f'"daily";r={state.daily_remaining};t={state.daily_reset}'
        )
        return response
