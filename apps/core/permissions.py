"""Permission classes built on the request's tenant (see apps.core.tenancy)."""

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from apps.core.errors import PaymentRequired
from apps.core.roles import Role
from apps.core.tenancy import ApiKeyPrincipal, require_tenant


class IsSignedInUser(BasePermission):
    """A person signed in with a token, not a company API key."""

    message = "This endpoint is for signed-in users, not API keys."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and not isinstance(user, ApiKeyPrincipal))


class IsTenantMember(BasePermission):
    """The caller is authenticated and acts for a company (membership or API key).

    Anonymous callers get 401; a signed-in user without a company gets 403. A company
    whose subscription is not active gets 402 for any change, except on views marked
    ``allowed_without_subscription`` (its own profile, members and keys).
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        tenant = require_tenant(request)
        if (
            request.method not in SAFE_METHODS
            and not tenant.subscription_active
            and not getattr(view, "allowed_without_subscription", False)
        ):
            raise PaymentRequired(
                "The company's subscription is not active: renew it to make changes."
            )
        return True


def tenant_role_in(*roles: str) -> type[BasePermission]:
    """A permission class admitting tenant members holding one of ``roles``."""

    class TenantRoleIn(IsTenantMember):
        message = "Your role in this company does not allow this."

        def has_permission(self, request: Request, view: Any) -> bool:
            return super().has_permission(request, view) and request.tenant.role in roles

    TenantRoleIn.__name__ = f"TenantRoleIn({', '.join(roles)})"
    return TenantRoleIn


IsCompanyAdmin = tenant_role_in(Role.COMPANY_ADMIN)


class MembersReadAdminsWrite(IsTenantMember):
    """Every member of the company may read; only its admins may change anything."""

    message = "Only company admins can change this."

    def has_permission(self, request: Request, view: Any) -> bool:
        if not super().has_permission(request, view):
            return False
        return request.method in SAFE_METHODS or request.tenant.role == Role.COMPANY_ADMIN
