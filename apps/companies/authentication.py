"""Authentication that also resolves the request's tenant (see apps.core.tenancy).

A signed-in user acts for the company of their membership; with several memberships the
SPA picks one with the ``X-Company-ID`` header, otherwise the oldest applies. A company
API key (``X-API-Key``) acts for its own company.
"""

from typing import Any

from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication

from apps.accounts.selectors import is_access_token_revoked
from apps.companies.errors import ErrorCode
from apps.companies.limits import rate_limits_for
from apps.companies.models import Company, Membership
from apps.companies.services import api_key_authenticate
from apps.core.errors import PermissionDeniedError
from apps.core.roles import Role
from apps.core.tenancy import ApiKeyPrincipal, Tenant, attach_tenant, tag_user

COMPANY_HEADER = "X-Company-ID"
API_KEY_HEADER = "X-API-Key"


def build_tenant(
    company: Company, *, role: str, user_id: int | None = None, api_key_id: int | None = None
) -> Tenant:
    """The request's tenant: who acts for ``company``, as what, under which limits."""
    limits = rate_limits_for(company)
    return Tenant(
        company_id=company.pk,
        tier=company.subscription_tier,
        role=role,
        user_id=user_id,
        api_key_id=api_key_id,
        hourly_limit=limits.hourly,
        daily_limit=limits.daily,
        subscription_active=company.is_subscription_active(),
    )


def tenant_for_user(user: Any, requested_company_id: str | None) -> Tenant | None:
    memberships = Membership.objects.filter(user_id=user.pk).select_related("company")
    if requested_company_id:
        if not (
            requested_company_id.isascii()
            and requested_company_id.isdigit()
            and len(requested_company_id) <= 18
        ):
            raise PermissionDeniedError(
                f"{COMPANY_HEADER} must be a company id.", code=ErrorCode.NOT_A_MEMBER
            )
        memberships = memberships.filter(company_id=int(requested_company_id))
    # A suspended membership reaches nothing, from the very next request.
    membership = memberships.filter(is_active=True).order_by("created_at", "id").first()
    if membership is None:
        if requested_company_id:
            raise PermissionDeniedError(
                "You are not an active member of that company.", code=ErrorCode.NOT_A_MEMBER
            )
        return None
    return build_tenant(membership.company, role=membership.role, user_id=user.pk)


class TenantJWTAuthentication(JWTAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        user, token = result
        if is_access_token_revoked(token["jti"]):
            raise AuthenticationFailed(
                "This token has been logged out.", code=ErrorCode.TOKEN_REVOKED
            )
        tag_user(user.pk)
        attach_tenant(request, tenant_for_user(user, request.headers.get(COMPANY_HEADER)))
        return user, token


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        raw_key = request.headers.get(API_KEY_HEADER)
        if not raw_key:
            return None
        api_key = api_key_authenticate(raw_key=raw_key)
        if api_key is None:
            raise AuthenticationFailed(
                "The API key is invalid or revoked.", code=ErrorCode.INVALID_API_KEY
            )
        attach_tenant(
            request, build_tenant(api_key.company, role=Role.COMPANY_ADMIN, api_key_id=api_key.pk)
        )
        return ApiKeyPrincipal(api_key_id=api_key.pk, company_id=api_key.company_id), api_key

    def authenticate_header(self, request: Request) -> str:
        return f'ApiKey header="{API_KEY_HEADER}"'
