"""Account services: creating users, logging in and out, refreshing tokens, passwords."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.state import token_backend
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import get_md5_hash_password

from apps.accounts.models import BILLING_STAFF_GROUP, RevokedAccessToken, User, normalize_email
from apps.accounts.signals import user_logged_in, user_logged_out
from apps.accounts.tokens import (
    TokenPair,
    claim_refresh_token,
    issue_token_pair,
    revoke_access_token,
)
from apps.core.errors import ApplicationError, ValidationFailed


class InvalidCredentials(ApplicationError):
    status_code = 401
    code = "invalid_credentials"
    # The same words whether the email is unknown, the password wrong or the account
    # disabled, so the answer does not tell which emails have accounts.
    default_message = "The email or password is incorrect."


class InvalidRefreshToken(ApplicationError):
    status_code = 401
    code = "token_not_valid"
    default_message = "The refresh token is invalid or expired."


def _check_password_rules(password: str, user: User) -> None:
    try:
        validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise ValidationFailed(details={"password": list(exc.messages)}) from exc


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
) -> User:
    """Create an active user after checking the email is free and the password follows the rules."""
    email = normalize_email(email)
    taken = ValidationFailed(
        details={"email": ["An account with this email exists: log in or reset the password."]}
    )
    if User.objects.filter(email=email).exists():
        raise taken
    user = User(email=email, first_name=first_name, last_name=last_name, phone=phone)
    _check_password_rules(password, user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # a concurrent signup with the same email won
        raise taken from exc
    return user


@transaction.atomic
def user_get_or_invite(
    *, email: str, first_name: str = "", last_name: str = "", phone: str = ""
) -> User:
    """The user with this email, or a new one without a usable password yet.

    A company records its clients before they ever log in; they set a password later.
    """
    email = normalize_email(email)
    user, created = User.objects.get_or_create(
        email=email, defaults={"first_name": first_name, "last_name": last_name, "phone": phone}
    )
    if user.is_staff or user.is_superuser:
        # Our own staff accounts are never attached to a tenant by a tenant.
        raise ValidationFailed(details={"email": ["This email cannot be used here."]})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def auth_login(*, request: Any, email: str, password: str) -> tuple[User, TokenPair]:
    """Check the credentials and issue a token pair; one error for every kind of failure."""
    user = authenticate(request, email=normalize_email(email), password=password)
    if user is None:
        raise InvalidCredentials()
    tokens = issue_token_pair(user)
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    return user, tokens


@transaction.atomic
def auth_refresh(*, refresh: str) -> TokenPair:
    """Exchange a refresh token for a new pair; each refresh token works exactly once.

    Of any number of concurrent refreshes with one token, exactly one gets a pair: the
    token is claimed by inserting its blacklist row, which only one insert can do. The
    others, and every later use, get ``token_not_valid``.
    """
    try:
        token = RefreshToken(refresh)  # signature, expiry, type, and not blacklisted yet
    except TokenError as exc:
        raise InvalidRefreshToken() from exc
    user = _user_of(token)
    try:
        claim_refresh_token(token, user=user)
    except IntegrityError as exc:  # a concurrent refresh (or logout) claimed it first
        raise InvalidRefreshToken() from exc
    return issue_token_pair(user)


def _user_of(token: RefreshToken) -> User:
    """The token's user, if it still exists, is active and has not changed the password since."""
    try:
        user = User.objects.filter(pk=token.get(api_settings.USER_ID_CLAIM)).first()
    except (TypeError, ValueError):
        user = None
    if user is None or not user.is_active:
        raise InvalidRefreshToken()
    # A password change blacklists the refresh tokens it finds; one issued by a refresh
    # running at the same moment carries the old password's hash and is refused here.
    if api_settings.CHECK_REVOKE_TOKEN and token.get(
        api_settings.REVOKE_TOKEN_CLAIM
    ) != get_md5_hash_password(user.password):
        raise InvalidRefreshToken()
    return user


def auth_logout(*, request: Any, refresh: str, access_payload: dict[str, Any] | None) -> None:
    """Blacklist the refresh token and deny the access token for the rest of its life."""
    try:
        token = RefreshToken(refresh)
    except TokenError as exc:
        raise InvalidRefreshToken() from exc
    with transaction.atomic():
        token.blacklist()
        if access_payload is not None:
            revoke_access_token(access_payload)
    user = User.objects.filter(pk=token.payload.get(api_settings.USER_ID_CLAIM)).first()
    user_logged_out.send(sender=User, request=request, user=user)


@dataclass(frozen=True, slots=True)
class TokenPruneSummary:
    revoked_access_tokens: int
    outstanding_refresh_tokens: int


@transaction.atomic
def expired_tokens_prune(*, now: datetime | None = None) -> TokenPruneSummary:
    """Forget access-token revocations and refresh-token records past their expiry.

    An expired token is refused for its expiry alone, so its rows no longer protect
    anything. Deleting an outstanding refresh token deletes its blacklist row with it
    (what simplejwt's ``flushexpiredtokens`` does). Safe to repeat at any time.
    """
    # Tokens are still accepted for the signing backend's leeway after they expire.
    cutoff = (now or timezone.now()) - token_backend.get_leeway()
    revoked, _ = RevokedAccessToken.objects.filter(expires_at__lte=cutoff).delete()
    _, per_model = OutstandingToken.objects.filter(expires_at__lte=cutoff).delete()
    return TokenPruneSummary(
        revoked_access_tokens=revoked,
        outstanding_refresh_tokens=per_model.get(OutstandingToken._meta.label, 0),
    )


@transaction.atomic
def user_change_password(*, user: User, current_password: str, new_password: str) -> TokenPair:
    """Change the password, end every other session and return a fresh token pair."""
    if not user.check_password(current_password):
        raise ValidationFailed(details={"current_password": ["The current password is wrong."]})
    _check_password_rules(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    _end_sessions(user)
    return issue_token_pair(user)


def _end_sessions(user: User) -> None:
    """Blacklist every refresh token; access tokens die with the password hash claim."""
    for outstanding in OutstandingToken.objects.filter(user=user):
        BlacklistedToken.objects.get_or_create(token=outstanding)


def password_reset_request(*, email: str) -> None:
    """Email a reset link if an active account has this email; say nothing either way.

    The email goes out on commit, through a task that makes the token when it sends.
    """
    from apps.accounts.tasks import send_password_reset_email

    user_id = (
        User.objects.filter(email=normalize_email(email), is_active=True)
        .values_list("pk", flat=True)
        .first()
    )
    if user_id is not None:
        transaction.on_commit(lambda: send_password_reset_email.delay(user_id=user_id))


class InvalidResetLink(ValidationFailed):
    code = "invalid_reset_link"
    default_message = "The reset link is invalid or has expired; ask for a new one."


@transaction.atomic
def password_reset_confirm(*, uid: str, token: str, new_password: str) -> None:
    """Set a new password from a reset link (also how invited clients first set one)."""
    try:
        user_id = int(force_str(urlsafe_base64_decode(uid)))
        user = User.objects.select_for_update().get(pk=user_id, is_active=True)
    except (ValueError, TypeError, OverflowError, User.DoesNotExist) as exc:
        raise InvalidResetLink() from exc
    if not default_token_generator.check_token(user, token):
        raise InvalidResetLink()
    _check_password_rules(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    _end_sessions(user)


@transaction.atomic
def user_set_password(*, user_id: int, password: str) -> None:
    """Set a password (for invited users and demo data), following the password rules."""
    user = User.objects.get(pk=user_id)
    _check_password_rules(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])


@transaction.atomic
def user_grant_billing_staff(*, user_id: int) -> None:
    """Let one of our people work on billing in the Django admin."""
    user = User.objects.get(pk=user_id)
    group, _ = Group.objects.get_or_create(name=BILLING_STAFF_GROUP)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(group)
