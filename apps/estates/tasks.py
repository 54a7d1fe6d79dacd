"""Estates emails, sent by Celery (retried with back-off on SMTP failures)."""

from celery import shared_task
from django.conf import settings
from django.utils.http import urlencode

from apps.accounts.selectors import user_id_for_email, user_identity
from apps.companies.selectors import company_name
from apps.core.emails import one_line, quoted, send_templated_email
from apps.estates.models import ClientInvitation
from apps.estates.services import client_invitation_issue_token


@shared_task(name="estates.send_client_invitation")
def send_client_invitation(*, invitation_id: int) -> None:
    """Email a client's invitation with a fresh one-time link (made here, never queued).

    The company's name is the only text of the company's in the email, quoted; the
    greeting uses the account's own name when the address has one, never the names the
    company recorded.
    """
    invitation = ClientInvitation.objects.filter(pk=invitation_id).first()
    if invitation is None:
        return
    token = client_invitation_issue_token(invitation_id=invitation_id)
    if token is None:
        return  # accepted or replaced since it was queued
    invitation.refresh_from_db(fields=["expires_at"])
    account_id = user_id_for_email(email=invitation.email)
    account = user_identity(user_id=account_id) if account_id is not None else None
    # Only an owner who proved the address has a name we may use: an unverified account
    # may be someone squatting it.
    greeting = one_line(account.first_name, limit=60) if account and account.email_verified else ""
    link = f"{settings.FRONTEND_URL.rstrip('/')}/invitations/accept?{urlencode({'token': token})}"
    send_templated_email(
        template="estates/email/client_invitation",
        context={
            "greeting_name": greeting or "there",
            "has_account": account is not None,
            "company_name": quoted(company_name(company_id=invitation.company_id) or ""),
            "email": invitation.email,
            "link": link,
            "expires_at": invitation.expires_at,
        },
        to=[invitation.email],
    )
