"""Account services: registering and verifying users, logging in and out, refreshing
tokens, passwords."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
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

from apps.accounts.errors import (
    EmailNotVerified,
    InvalidCredentials,
    InvalidRefreshToken,
    InvalidResetLink,
    InvalidVerificationLink,
)
from apps.accounts.models import BILLING_STAFF_GROUP, RevokedAccessToken, User, normalize_email
from apps.accounts.signals import user_logged_in, user_logged_out
from apps.accounts.tokens import (
    TokenPair,
    claim_refresh_token,
    issue_token_pair,
    revoke_access_token,
)
from apps.core.auth_versions import auth_versions_bump
from apps.core.errors import ValidationFailed
from apps.core.ip_limits import login_lock_clear
from apps.core.phones import phone_clean, phone_clean_data
from apps.core.writes import model_update


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
    email_verified: bool = False,
) -> int:
    """Create an active user after checking the email is free and the password follows the
    rules. For callers that may say the email is taken (demo data, a person who proved
    the address with an invitation); public signup uses ``account_register``."""
    email = normalize_email(email)
    phone = phone_clean(phone)
    taken = ValidationFailed(
        details={"email": ["An account with this email exists: log in or reset the password."]}
    )
    if User.objects.filter(email=email).exists():
        raise taken
    user = User(email=email, first_name=first_name, last_name=last_name, phone=phone)
    if email_verified:
        user.email_verified_at = timezone.now()
    _check_password_rules(password, user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # a concurrent signup with the same email won
        raise taken from exc
    return user.pk


# What every signup answers, whatever happened: see ``account_register``.
SIGNUP_ACCEPTED = (
    "Thank you. We have emailed the address you gave: follow the link there to confirm it, "
    "then sign in."
)


class SignupPurpose:
    """What a person was signing up for, so the notice to an existing owner says so."""

    COMPANY = "company"
    MARKETER = "marketer"


@dataclass(frozen=True, slots=True)
class Registration:
    # None when the email already had an account: nothing was created and its owner was
    # emailed. Callers answer both cases alike.
    user_id: int | None


@transaction.atomic
def account_register(
    *,
    email: str,
    password: str,
    purpose: str,
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
) -> Registration:
    """Create an unverified account and email it a verification link; or, when the email
    already has an account, create nothing and email its owner instead.

    Public signups answer both outcomes the same way, so they never tell a stranger
    whether an email has an account. The password is checked and hashed either way.
    """
    from apps.accounts.tasks import send_email_verification, send_signup_notice

    email = normalize_email(email)
    phone = phone_clean(phone)
    candidate = User(email=email, first_name=first_name, last_name=last_name, phone=phone)
    _check_password_rules(password, candidate)
    candidate.set_password(password)
    existing_id = User.objects.filter(email=email).values_list("pk", flat=True).first()
    if existing_id is None:
        try:
            with transaction.atomic():
                candidate.save()
        except IntegrityError:  # a concurrent signup with the same email won
            existing_id = User.objects.filter(email=email).values_list("pk", flat=True).first()
        else:
            user_id = candidate.pk
            transaction.on_commit(lambda: send_email_verification.delay(user_id=user_id))
            return Registration(user_id=user_id)
    owner_id = existing_id
    transaction.on_commit(lambda: send_signup_notice.delay(user_id=owner_id, purpose=purpose))
    return Registration(user_id=None)


# --- email verification ----------------------------------------------------------------------

EMAIL_VERIFICATION_SALT = "accounts.email-verification"


def email_verification_token(*, user_id: int, email: str) -> str:
    """A signed, timestamped token naming the account and the address it proves."""
    return signing.dumps({"user": user_id, "email": email}, salt=EMAIL_VERIFICATION_SALT)


@transaction.atomic
def email_verify(*, token: str, user_id: int) -> None:
    """Mark the signed-in account's email verified from a link's token; using it again is
    a no-op.

    Verifying takes both the password (being signed in as the account) and the inbox (the
    token). Someone who signed up with another person's address cannot get it verified:
    the owner, clicking the link, is not signed in as that account (and takes it over with
    a password reset instead). A token for another account, or for an address the account
    no longer has, is refused.
    """
    try:
        claims = signing.loads(
            token,
            salt=EMAIL_VERIFICATION_SALT,
            max_age=timedelta(days=settings.EMAIL_VERIFICATION_DAYS),
        )
        user = User.objects.select_for_update().get(pk=int(claims["user"]), is_active=True)
    except (signing.BadSignature, KeyError, TypeError, ValueError, User.DoesNotExist) as exc:
        raise InvalidVerificationLink() from exc
    if user.pk != user_id or user.email != claims.get("email"):
        raise InvalidVerificationLink()
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])


def email_verification_resend(*, user_id: int) -> None:
    """Email a new verification link unless the address is verified already."""
    from apps.accounts.tasks import send_email_verification

    unverified = User.objects.filter(
        pk=user_id, is_active=True, email_verified_at__isnull=True
    ).exists()
    if unverified:
        transaction.on_commit(lambda: send_email_verification.delay(user_id=user_id))


@transaction.atomic
def user_mark_email_verified(*, user_id: int) -> None:
    """Record that the owner proved the address some other way (an invitation, demo data)."""
    User.objects.filter(pk=user_id, email_verified_at__isnull=True).update(
        email_verified_at=timezone.now()
    )
    auth_versions_bump([user_id])


def user_require_verified_email(*, user_id: int) -> None:
    """Raise EmailNotVerified unless the account's address is verified."""
    if not User.objects.filter(pk=user_id, email_verified_at__isnull=False).exists():
        raise EmailNotVerified()


PROFILE_FIELDS = ("first_name", "last_name", "phone")


@transaction.atomic
def user_update_profile(*, user_id: int, data: Mapping[str, str]) -> User:
    """Change the signed-in person's own names and phone (the email is their login)."""
    user = User.objects.select_for_update().get(pk=user_id)
    user, _ = model_update(instance=user, fields=PROFILE_FIELDS, data=phone_clean_data(data))
    return user


def auth_tokens_for(*, user_id: int) -> TokenPair:
    """Sign an active account in: a fresh token pair."""
    return issue_token_pair(User.objects.get(pk=user_id, is_active=True))


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
    """Change the password, end every other session, clear a login lockout and return a
    fresh token pair."""
    if not user.check_password(current_password):
        raise ValidationFailed(details={"current_password": ["The current password is wrong."]})
    _check_password_rules(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    _end_sessions(user)
    _clear_login_lock_on_commit(user)
    return issue_token_pair(user)


def _end_sessions(user: User) -> None:
    """Blacklist every refresh token; access tokens die with the password hash claim."""
    for outstanding in OutstandingToken.objects.filter(user=user):
        BlacklistedToken.objects.get_or_create(token=outstanding)


def _clear_login_lock_on_commit(user: User) -> None:
    """The owner proved who they are: logins locked by someone else's guesses open again.

    Only once the new password is stored, so the old one never gets fresh attempts.
    """
    account = normalize_email(user.email)
    transaction.on_commit(lambda: login_lock_clear(account=account))


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


@transaction.atomic
def password_reset_confirm(*, uid: str, token: str, new_password: str) -> None:
    """Set a new password from a reset link (also how invited clients first set one), end
    every session and clear a login lockout."""
    try:
        user_id = int(force_str(urlsafe_base64_decode(uid)))
        user = User.objects.select_for_update().get(pk=user_id, is_active=True)
    except (ValueError, TypeError, OverflowError, User.DoesNotExist) as exc:
        raise InvalidResetLink() from exc
    if not default_token_generator.check_token(user, token):
        raise InvalidResetLink()
    _check_password_rules(new_password, user)
    user.set_password(new_password)
    # The link came to this address, so its owner has just proved it.
    user.email_verified_at = user.email_verified_at or timezone.now()
    user.save(update_fields=["password", "email_verified_at"])
    _end_sessions(user)
    _clear_login_lock_on_commit(user)


@transaction.atomic
def user_grant_billing_staff(*, user_id: int) -> None:
    """Let one of our people work on billing in the Django admin."""
    user = User.objects.get(pk=user_id)
    group, _ = Group.objects.get_or_create(name=BILLING_STAFF_GROUP)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(group)
