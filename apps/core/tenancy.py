"""The request's tenant: which company the caller acts for, and as what.

Authentication (apps.companies) resolves it from the user's membership or the API key
and attaches it with ``attach_tenant``; views read it with ``require_tenant``.
"""

from dataclasses import dataclass

import sentry_sdk
from django.http import HttpRequest
from rest_framework.request import Request

from apps.core.errors import ErrorCode, PermissionDeniedError


@dataclass(frozen=True, slots=True)
class Tenant:
    company_id: int
    tier: str
    role: str
    user_id: int | None = None
    api_key_id: int | None = None
    # API requests each caller (user or key) may make per hour, and the company per day
    # (None: not limited).
    hourly_limit: int | None = None
    daily_limit: int | None = None
    # False once a trial ends or the company is suspended or cancelled: it may read, and
    # manage its own account, but not change its data until it pays.
    subscription_active: bool = True


@dataclass(frozen=True, slots=True)
class ApiKeyPrincipal:
    """``request.user`` for a call made with a company API key rather than a person."""

    api_key_id: int
    company_id: int
    is_authenticated: bool = True
    is_anonymous: bool = False
    is_active: bool = True
    is_staff: bool = False
    is_superuser: bool = False
    pk: None = None
    id: None = None

    def __str__(self) -> str:
        return f"API key {self.api_key_id}"


def attach_tenant(request: Request | HttpRequest, tenant: Tenant | None) -> None:
    """Remember the tenant on the request and tag error reports with it."""
    request.tenant = tenant
    django_request = getattr(request, "_request", None)
    if django_request is not None:
        django_request.tenant = tenant
    if tenant is not None:
        sentry_sdk.set_tag("company_id", tenant.company_id)
        sentry_sdk.set_tag("tier", tenant.tier)
        if tenant.api_key_id is not None:
            sentry_sdk.set_tag("api_key_id", tenant.api_key_id)


def tag_user(user_id: int) -> None:
    """Identify the caller in error reports by id only: no email, name or IP."""
    sentry_sdk.set_user({"id": user_id})


def get_tenant(request: Request | HttpRequest) -> Tenant | None:
    return getattr(request, "tenant", None)


def require_tenant(request: Request | HttpRequest) -> Tenant:
    tenant = get_tenant(request)
    if tenant is None:
        raise PermissionDeniedError(
            "Your account does not belong to a company.", code=ErrorCode.NO_COMPANY
        )
    return tenant
