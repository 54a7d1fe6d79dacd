"""Account services: creating users, logging in and out, changing passwords."""

from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
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
