"""Authentication endpoints for the SPA: login, refresh, logout, me, password change."""

from dataclasses import asdict
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import serializers
from apps.accounts.models import normalize_email
from apps.accounts.services import (
    auth_login,
    auth_logout,
    auth_refresh,
    email_verification_resend,
    email_verify,
    password_reset_confirm,
    password_reset_request,
    user_change_password,
    user_update_profile,
)
from apps.companies.selectors import memberships_for_user
from apps.core.ip_limits import (
    TooManyAttempts,
    limit_by_ip,
    login_refused_for_account,
    too_many_logins_message,
)
from apps.core.permissions import IsSignedInUser
from apps.core.roles import Role
from apps.core.serializers import EmptySerializer
from apps.core.tenancy import get_tenant


class LoginView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    documented_errors = (401,)  # the email or password is wrong

    @extend_schema(request=serializers.LoginSerializer, responses=serializers.TokenPairSerializer)
    @limit_by_ip("LOGIN_RATE_LIMIT")
    def post(self, request: Request) -> Response:
        data = serializers.LoginSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # Before the password is checked: during a lockout the right one is refused too.
        account = normalize_email(data.validated_data["email"])
        if retry_after := login_refused_for_account(request._request, account=account):
            raise TooManyAttempts(retry_after, too_many_logins_message(retry_after))
        _, tokens = auth_login(request=request._request, **data.validated_data)
        return Response({"access": tokens.access, "refresh": tokens.refresh})


class RefreshView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    documented_errors = (401,)  # the refresh token is invalid, used or expired

    @extend_schema(request=serializers.RefreshSerializer, responses=serializers.TokenPairSerializer)
    @limit_by_ip("LOGIN_RATE_LIMIT")
    def post(self, request: Request) -> Response:
        data = serializers.RefreshSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tokens = auth_refresh(**data.validated_data)
        return Response({"access": tokens.access, "refresh": tokens.refresh})


class LogoutView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(request=serializers.LogoutSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        data = serializers.LogoutSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        access_payload = getattr(request.auth, "payload", None)
        auth_logout(
            request=request._request,
            refresh=data.validated_data["refresh"],
            access_payload=access_payload,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


def _me_payload(request: Request, user: Any) -> dict[str, Any]:
    memberships = memberships_for_user(user_id=user.pk)
    roles = sorted({membership.role for membership in memberships})
    if user.is_billing_staff:
        roles.append(Role.BILLING_STAFF.value)
    tenant = get_tenant(request)
    return {
        "id": user.pk,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": user.phone,
        "email_verified": user.email_verified,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "roles": roles,
        "current_company_id": tenant.company_id if tenant else None,
        "memberships": [asdict(membership) for membership in memberships],
    }


class MeView(APIView):
    permission_classes = [IsSignedInUser]

    @extend_schema(responses=serializers.MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(serializers.MeSerializer(_me_payload(request, request.user)).data)

    @extend_schema(request=serializers.MeUpdateSerializer, responses=serializers.MeSerializer)
    def patch(self, request: Request) -> Response:
        update = serializers.MeUpdateSerializer(data=request.data, partial=True)
        update.is_valid(raise_exception=True)
        user = user_update_profile(user_id=request.user.pk, data=update.validated_data)
        return Response(serializers.MeSerializer(_me_payload(request, user)).data)


class PasswordChangeView(APIView):
    permission_classes = [IsSignedInUser]

    @extend_schema(
        request=serializers.PasswordChangeSerializer, responses=serializers.TokenPairSerializer
    )
    @limit_by_ip("LOGIN_RATE_LIMIT")
    def post(self, request: Request) -> Response:
        data = serializers.PasswordChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tokens = user_change_password(user=request.user, **data.validated_data)
        return Response({"access": tokens.access, "refresh": tokens.refresh})


class PasswordResetView(APIView):
    """Ask for a password-reset email. The answer is the same whether or not the email
    has an account."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(request=serializers.PasswordResetSerializer, responses={202: None})
    @limit_by_ip("PASSWORD_RESET_RATE_LIMIT")
    def post(self, request: Request) -> Response:
        data = serializers.PasswordResetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        password_reset_request(**data.validated_data)
        return Response(status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(APIView):
    """Set a new password with the uid and token from the emailed link."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(request=serializers.PasswordResetConfirmSerializer, responses={204: None})
    @limit_by_ip("LOGIN_RATE_LIMIT")
    def post(self, request: Request) -> Response:
        data = serializers.PasswordResetConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        password_reset_confirm(**data.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class EmailVerifyView(APIView):
    """Confirm your email address with the token from the emailed link, signed in to the
    account it was sent for."""

    permission_classes = [IsSignedInUser]

    @extend_schema(request=serializers.EmailVerifySerializer, responses={204: None})
    @limit_by_ip("LOGIN_RATE_LIMIT")
    def post(self, request: Request) -> Response:
        data = serializers.EmailVerifySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        email_verify(token=data.validated_data["token"], user_id=request.user.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class EmailVerifyResendView(APIView):
    """Email a new verification link to the signed-in user (nothing if already verified)."""

    permission_classes = [IsSignedInUser]

    @extend_schema(request=None, responses={202: None})
    @limit_by_ip("PASSWORD_RESET_RATE_LIMIT")
    def post(self, request: Request) -> Response:
        EmptySerializer(data=request.data).is_valid(raise_exception=True)
        email_verification_resend(user_id=request.user.pk)
        return Response(status=status.HTTP_202_ACCEPTED)
