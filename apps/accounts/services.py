"""Account services: creating users, logging in and out, changing passwords."""

from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from apps.accounts.models import BILLING_STAFF_GROUP, User, normalize_email
from apps.accounts.signals import user_logged_in, user_logged_out
from apps.accounts.tokens import TokenPair, issue_token_pair, revoke_access_token
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
    if User.objects.filter(email=email).exists():
        raise ValidationFailed(
            details={"email": ["An account with this email already exists."]},
        )
    user = User(email=email, first_name=first_name, last_name=last_name, phone=phone)
    _check_password_rules(password, user)
    user.set_password(password)
    user.save()
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


def auth_logout(*, request: Any, refresh: str, access_payload: dict[str, Any] | None) -> None:
    """Blacklist the refresh token and deny the access token for the rest of its life."""
    try:
        token = RefreshToken(refresh)
        token.blacklist()
    except TokenError as exc:
        raise InvalidRefreshToken() from exc
    if access_payload is not None:
        revoke_access_token(access_payload)
    user = User.objects.filter(pk=token.payload.get("user_id")).first()
    user_logged_out.send(sender=User, request=request, user=user)


@transaction.atomic
def user_change_password(*, user: User, current_password: str, new_password: str) -> TokenPair:
    """Change the password, end every other session and return a fresh token pair."""
    if not user.check_password(current_password):
        raise ValidationFailed(details={"current_password": ["The current password is wrong."]})
    _check_password_rules(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    for outstanding in OutstandingToken.objects.filter(user=user):
        BlacklistedToken.objects.get_or_create(token=outstanding)
    return issue_token_pair(user)


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
