"""Authentication that also resolves the request's tenant (see apps.core.tenancy).

A signed-in user acts for the company of their membership; with several memberships the
SPA picks one with the ``X-Company-ID`` header, otherwise the oldest applies. A company
API key (``X-API-Key``) acts for its own company.
"""

import time
from datetime import UTC, datetime
from typing import Any

from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.utils import get_md5_hash_password

from apps.accounts.selectors import revocation_guard
from apps.companies.api_key_cache import (
    ApiKeyEntry,
    ApiKeyLookup,
    api_key_version_key,
    recent_api_key_entry,
)
from apps.companies.api_keys import matches, split_prefix
from apps.companies.auth_snapshot import AuthSnapshot, cacheable_header, recent_entry
from apps.companies.errors import ErrorCode
from apps.companies.limits import rate_limits_for
from apps.companies.models import Company, Membership, SubscriptionStatus
from apps.companies.services import (
    API_KEY_TOUCH_INTERVAL,
    api_key_authenticate,
    api_key_touch,
)
from apps.core.auth_versions import auth_version_key
from apps.core.errors import PermissionDeniedError
from apps.core.roles import Role
from apps.core.tenancy import ApiKeyPrincipal, Tenant, attach_tenant, tag_user
from apps.usage.services import Guard, api_request_count_early

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
    return _tenant_for_user(user, requested_company_id)[0]


def _tenant_for_user(
    user: Any, requested_company_id: str | None
) -> tuple[Tenant | None, datetime | None]:
    """The tenant, and when it stops being true by itself (a trial or paid period's end)."""
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
        return None, None
    company = membership.company
    tenant = build_tenant(company, role=membership.role, user_id=user.pk)
    return tenant, _activity_ends_at(company)


def _activity_ends_at(company: Company) -> datetime | None:
    """When ``is_subscription_active`` turns false with no write: the trial's or the paid
    period's end, if still ahead."""
    if company.subscription_status == SubscriptionStatus.TRIALING:
        return company.trial_ends_at
    if company.subscription_status in (SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE):
        return company.subscription_ends_at
    return None


class TenantJWTAuthentication(JWTAuthentication):
    """simplejwt's authentication, with the account, the tenant and the revocation check
    answered from the cache (one round trip, no query) while the user's auth version holds
    (apps.core.auth_versions)."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = self.get_header(request)
        raw_token = None if header is None else self.get_raw_token(header)
        if raw_token is None:
            return None
        token = self.get_validated_token(raw_token)
        company_header = request.headers.get(COMPANY_HEADER) or ""
        user_id = token.get(api_settings.USER_ID_CLAIM)
        user = self._from_recent(request, token, user_id, company_header)
        if user is not None:
            return user, token
        snapshot = AuthSnapshot.fetch(user_id=user_id, jti=token["jti"], header=company_header)
        if snapshot.revoked():
            raise AuthenticationFailed(
                "This token has been logged out.", code=ErrorCode.TOKEN_REVOKED
            )
        if snapshot.entry is not None:
            user, tenant = snapshot.entry.user, snapshot.entry.tenant
            self._check_user(user, token)
        else:
            user = self.get_user(token)
            tenant, changes_at = _tenant_for_user(user, company_header)
            snapshot.store(user=user, tenant=tenant, valid_until=changes_at)
        tag_user(user.pk)
        attach_tenant(request, tenant)
        if tenant is not None:
            # Counted now, as on the warm path: before the permission checks.
            api_request_count_early(request=request, tenant=tenant)
        return user, token

    def _from_recent(
        self, request: Request, token: Any, user_id: Any, company_header: str
    ) -> Any | None:
        """The account from this process's recent entry, confirmed current and the token
        not revoked in the same round trip that counts the request (see
        apps.companies.auth_snapshot); None to authenticate the usual way."""
        if user_id is None or not cacheable_header(company_header):
            return None
        entry = recent_entry(user_id, company_header)
        revocation = revocation_guard(token["jti"])
        if entry is None or entry.tenant is None or revocation is None:
            return None
        revoked_marker, loaded_flag = revocation
        guard = Guard(
            equal=((auth_version_key(user_id), entry.version),),
            absent=(revoked_marker,),
            present=(loaded_flag,),
        )
        if not api_request_count_early(request=request, tenant=entry.tenant, guard=guard):
            return None
        self._check_user(entry.user, token)
        tag_user(entry.user.pk)
        attach_tenant(request, entry.tenant)
        return entry.user

    @staticmethod
    def _check_user(user: Any, token: Any) -> None:
        # What simplejwt's get_user checks of the account it loads, for one from the cache.
        if not user.is_active:
            raise AuthenticationFailed("User is inactive", code=ErrorCode.USER_INACTIVE)
        if token.get(api_settings.REVOKE_TOKEN_CLAIM) != get_md5_hash_password(user.password):
            raise AuthenticationFailed(
                "The user's password has been changed.", code=ErrorCode.PASSWORD_CHANGED
            )


class ApiKeyAuthentication(BaseAuthentication):
    """A company API key, resolved from the cache while the key's version holds
    (apps.companies.api_key_cache): no query on a warm cache, one round trip with the
    rate limits in a warm process."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        raw_key = request.headers.get(API_KEY_HEADER)
        if not raw_key:
            return None
        prefix = split_prefix(raw_key)
        tenant = self._from_recent(request, raw_key, prefix) if prefix else None
        if tenant is None:
            tenant = self._resolve(raw_key, prefix)
            attach_tenant(request, tenant)
            # Counted now, as on the warm path: before the permission checks.
            api_request_count_early(request=request, tenant=tenant)
        else:
            attach_tenant(request, tenant)
        principal = ApiKeyPrincipal(api_key_id=tenant.api_key_id, company_id=tenant.company_id)
        return principal, principal

    @staticmethod
    def _from_recent(request: Request, raw_key: str, prefix: str) -> Tenant | None:
        entry = recent_api_key_entry(prefix)
        if entry is None or not matches(raw_key, entry.key_hash) or _touch_due(entry):
            return None
        guard = Guard(equal=((api_key_version_key(prefix), entry.version),))
        if not api_request_count_early(request=request, tenant=entry.tenant, guard=guard):
            return None
        return entry.tenant

    @staticmethod
    def _resolve(raw_key: str, prefix: str | None) -> Tenant:
        lookup = ApiKeyLookup.fetch(prefix) if prefix else None
        entry = lookup.entry if lookup else None
        if entry is not None and matches(raw_key, entry.key_hash):
            if _touch_due(entry):
                last_used = entry.last_used_at
                touched = api_key_touch(
                    api_key_id=entry.api_key_id,
                    last_used_at=datetime.fromtimestamp(last_used, UTC) if last_used else None,
                )
                lookup.store(
                    api_key_id=entry.api_key_id,
                    company_id=entry.company_id,
                    key_hash=entry.key_hash,
                    tenant=entry.tenant,
                    valid_until=(
                        datetime.fromtimestamp(entry.valid_until, UTC)
                        if entry.valid_until
                        else None
                    ),
                    last_used_at=touched,
                )
            return entry.tenant
        api_key = api_key_authenticate(raw_key=raw_key)
        if api_key is None:
            raise AuthenticationFailed(
                "The API key is invalid or revoked.", code=ErrorCode.INVALID_API_KEY
            )
        tenant = build_tenant(api_key.company, role=Role.COMPANY_ADMIN, api_key_id=api_key.pk)
        if lookup is not None:
            lookup.store(
                api_key_id=api_key.pk,
                company_id=api_key.company_id,
                key_hash=api_key.key_hash,
                tenant=tenant,
                valid_until=_activity_ends_at(api_key.company),
                last_used_at=api_key.last_used_at,
            )
        return tenant

    def authenticate_header(self, request: Request) -> str:
        return f'ApiKey header="{API_KEY_HEADER}"'


def _touch_due(entry: ApiKeyEntry) -> bool:
    return (
        entry.last_used_at is None
        or time.time() - entry.last_used_at >= API_KEY_TOUCH_INTERVAL.total_seconds()
    )
