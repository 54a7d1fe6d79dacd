"""Account tasks: emails (retried with back-off on SMTP failures; links are made when the
task sends, so no token waits in the broker) and the daily token clean-up."""

from dataclasses import asdict

from celery import shared_task
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.utils.encoding import force_bytes
from django.utils.http import urlencode, urlsafe_base64_encode

from apps.accounts.models import User
from apps.accounts.services import email_verification_token, expired_tokens_prune
from apps.core.emails import one_line, send_templated_email


def frontend_link(path: str, **query: str) -> str:
    """A link into the single-page app."""
    link = f"{settings.FRONTEND_URL.rstrip('/')}/{path.lstrip('/')}"
    return f"{link}?{urlencode(query)}" if query else link


def greeting_name(user: User) -> str:
    """The account's own first name, once its owner has proved the address; until then
    the name may have been typed by someone squatting the address, so nobody is named."""
    if not user.email_verified:
        return "there"
    return one_line(user.first_name, limit=60) or "there"


@shared_task(name="accounts.send_password_reset_email")
def send_password_reset_email(*, user_id: int) -> None:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = f"{settings.FRONTEND_URL.rstrip('/')}/reset-password?uid={uid}&token={token}"
    send_mail(
        subject="Set your EstateApp password",
        message=(
            f"Hello {greeting_name(user)},\n\n"
            f"Use this link to set your password:\n{link}\n\n"
            "If you did not ask for it, ignore this email; your password stays as it is.\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
    )


@shared_task(name="accounts.send_email_verification")
def send_email_verification(*, user_id: int) -> None:
    user = User.objects.filter(pk=user_id, is_active=True, email_verified_at__isnull=True).first()
    if user is None:
        return  # verified (or gone) since the email was asked for
    token = email_verification_token(user_id=user.pk, email=user.email)
    send_templated_email(
        template="accounts/email/verify_email",
        context={
            "greeting_name": greeting_name(user),
            "email": user.email,
            "link": frontend_link("verify-email", token=token),
            "reset_link": frontend_link("forgot-password"),
            "valid_days": settings.EMAIL_VERIFICATION_DAYS,
        },
        to=[user.email],
    )


@shared_task(name="accounts.send_signup_notice")
def send_signup_notice(*, user_id: int, purpose: str) -> None:
    """Tell an account's owner that someone tried to sign up with their address."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    send_templated_email(
        template="accounts/email/signup_notice",
        context={
            "greeting_name": greeting_name(user),
            "email": user.email,
            "purpose": purpose,
            "login_link": frontend_link("login"),
            "reset_link": frontend_link("forgot-password"),
        },
        to=[user.email],
    )


@shared_task(name="accounts.prune_revoked_tokens")
def prune_revoked_tokens() -> dict[str, int]:
    """Daily: delete access-token revocations and refresh-token records past expiry. Idempotent."""
    return asdict(expired_tokens_prune())
