"""Rate-limit headers on every API response that was counted against a limit.

Both conventions: GitHub's X-RateLimit-Limit/Remaining/Reset (for the binding window, see
RateLimitState.binding; Reset is a Unix time) and the IETF httpapi draft's structured
fields, RateLimit-Policy (each policy's quota and window) and RateLimit (remaining and
seconds to reset, per policy). Policies are named for whose budget they are:
``caller-hourly``, ``caller-daily`` (the caller's share of the company's day),
``members-daily`` (what marketers and clients may use of it together; shown to them only)
and ``company-daily``.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class RateLimitHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        state = getattr(request, "rate_limit", None)
        if state is None:
            return response
        binding = state.binding
        response["X-RateLimit-Limit"] = str(binding.limit)
        response["X-RateLimit-Remaining"] = str(binding.remaining)
        response["X-RateLimit-Reset"] = str(int(binding.resets_at.timestamp()))
        response["RateLimit-Policy"] = ", ".join(
            f'"{policy.name}";q={policy.limit};w={policy.window_seconds}'
            for policy in state.policies
        )
        response["RateLimit"] = ", ".join(
            f'"{policy.name}";r={policy.remaining};t={policy.reset}' for policy in state.policies
        )
        return response
