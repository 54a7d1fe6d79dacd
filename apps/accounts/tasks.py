"""Account tasks: emails (retried with back-off on SMTP failures) and the daily token clean-up."""

from dataclasses import asdict

from celery import shared_task
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from apps.accounts.models import User
from apps.accounts.services import expired_tokens_prune


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
            f"Hello {user.get_short_name()},\n\n"
            f"Use this link to set your password:\n{link}\n\n"
            "If you did not ask for it, ignore this email; your password stays as it is.\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
    )


@shared_task(name="accounts.prune_revoked_tokens")
def prune_revoked_tokens() -> dict[str, int]:
    """Daily: delete access-token revocations and refresh-token records past expiry. Idempotent."""
    return asdict(expired_tokens_prune())
