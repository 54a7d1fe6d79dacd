"""The company's clients, and their invitations to join the company.

Recording a client grants nothing. It keeps the company's own record of the buyer and
emails the address a one-time, expiring link. The person joins the company (a client
membership) only by accepting that link, signed in to an account that owns the address
and has verified it, or by creating such an account through the link. Until then no
token reaches the company's data, whatever accounts exist.
"""

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.accounts.selectors import any_email_verified, user_id_for_email, user_identity
from apps.accounts.services import (
    TokenPair,
    auth_tokens_for,
    user_create,
    user_require_verified_email,
)
from apps.companies.selectors import admin_user_ids
from apps.companies.services import membership_end_role, membership_ensure
from apps.core.emails import normalize_email
from apps.core.errors import ConflictError
from apps.core.phones import phone_clean, phone_clean_data
from apps.core.roles import Role
from apps.core.writes import duplicate_is_conflict, model_update
from apps.estates.errors import (
    AccountExists,
    ErrorCode,
    InvalidInvitation,
    InvitationEmailMismatch,
    StaffAccountRefused,
    TooManyInvitations,
    UnverifiedCompany,
)
from apps.estates.models import Client, ClientInvitation, PlotPurchase
from apps.estates.read_scopes import catalogue_changed

INVITATION_TOKEN_BYTES = 32
INVITATION_WINDOW = timedelta(days=1)
CLIENT_FIELDS = ("first_name", "last_name", "phone", "address")


@dataclass(frozen=True, slots=True)
class InvitationJoined:
    company_id: int
    client_id: int
    user_id: int


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _open_invitations(client: Client) -> Q:
    return Q(client=client, accepted_at__isnull=True, revoked_at__isnull=True)


def _require_verified_company(company_id: int) -> None:
    # A company nobody has proved an address for (a signup with someone else's email)
    # must not use our mail server to write to strangers.
    if not any_email_verified(user_ids=admin_user_ids(company_id=company_id)):
        raise UnverifiedCompany()


def _check_invitation_rate(client: Client, now: datetime) -> None:
    window_start = now - INVITATION_WINDOW
    recent = list(
        ClientInvitation.objects.filter(client=client, created_at__gte=window_start)
        .order_by("created_at")
        .values_list("created_at", flat=True)[: settings.INVITATIONS_PER_CLIENT_PER_DAY]
    )
    if len(recent) >= settings.INVITATIONS_PER_CLIENT_PER_DAY:
        retry_after = max(1, int((recent[0] + INVITATION_WINDOW - now).total_seconds()))
        raise TooManyInvitations(
            f"This client was sent {len(recent)} invitations in the last day; try again later.",
            details={"retry_after": retry_after},
            headers={"Retry-After": str(retry_after)},
        )


def _invite(client: Client, invited_by_id: int | None) -> ClientInvitation:
    """Revoke the client's open invitations and start a new one, emailed on commit."""
    from apps.estates.tasks import send_client_invitation

    now = timezone.now()
    _require_verified_company(client.company_id)
    _check_invitation_rate(client, now)
    ClientInvitation.objects.filter(_open_invitations(client)).update(
        revoked_at=now, updated_at=now
    )
    invitation = ClientInvitation.objects.create(
        company_id=client.company_id,
        client=client,
        email=client.email,
        invited_by_id=invited_by_id,
    )
    invitation_id = invitation.pk
    transaction.on_commit(lambda: send_client_invitation.delay(invitation_id=invitation_id))
    return invitation


@transaction.atomic
def client_create(
    *,
    company_id: int,
    email: str,
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    address: str = "",
    invited_by_id: int | None = None,
) -> Client:
    """Record a buyer and email them an invitation to join the company.

    The answer is the same whether or not the address has an account (or is one of our
    staff's): nothing about any account is read here.
    """
    client = Client(
        company_id=company_id,
        email=normalize_email(email),
        first_name=first_name,
        last_name=last_name,
        phone=phone_clean(phone),
        address=address,
    )
    with duplicate_is_conflict(
        message="This email is already one of the company's clients.",
        code=ErrorCode.DUPLICATE_CLIENT,
        field="email",
    ):
        client.save()
    _invite(client, invited_by_id)
    catalogue_changed(company_id)
    return client


@transaction.atomic
def client_invite(*, company_id: int, client_id: int, invited_by_id: int | None) -> Client:
    """Send a client a new invitation (the earlier links stop working)."""
    client = Client.objects.for_company(company_id).get_for(client_id, lock=True)
    if client.user_id is not None:
        raise ConflictError("This client has already joined.", code=ErrorCode.ALREADY_JOINED)
    _invite(client, invited_by_id)
    return client


@transaction.atomic
def client_update(*, company_id: int, client_id: int, data: Mapping[str, str]) -> Client:
    """Change the company's record of a client: names, phone and address only."""
    client = Client.objects.for_company(company_id).get_for(client_id, lock=True)
    client, _ = model_update(instance=client, fields=CLIENT_FIELDS, data=phone_clean_data(data))
    catalogue_changed(company_id)
    return client


@transaction.atomic
def client_delete(*, company_id: int, client_id: int) -> None:
    """Delete a client without purchases; a member through it loses access at once."""
    client = Client.objects.for_company(company_id).get_for(client_id, lock=True)
    if PlotPurchase.objects.filter(client=client).exists():
        raise ConflictError(
            "The client has purchases and cannot be deleted.",
            code=ErrorCode.CLIENT_HAS_PURCHASES,
        )
    user_id = client.user_id
    client.delete()
    catalogue_changed(company_id)
    if user_id is not None:
        membership_end_role(company_id=company_id, user_id=user_id, role=Role.CLIENT)


@transaction.atomic
def client_invitation_issue_token(*, invitation_id: int) -> str | None:
    """A fresh token for an open invitation (any earlier token stops working), valid for
    INVITATION_DAYS; None when the invitation is no longer open. Only its hash is kept."""
    invitation = (
        ClientInvitation.objects.select_for_update()
        .filter(pk=invitation_id, accepted_at__isnull=True, revoked_at__isnull=True)
        .first()
    )
    if invitation is None:
        return None
    token = secrets.token_urlsafe(INVITATION_TOKEN_BYTES)
    invitation.token_hash = _hash(token)
    invitation.expires_at = timezone.now() + timedelta(days=settings.INVITATION_DAYS)
    invitation.save(update_fields=["token_hash", "expires_at", "updated_at"])
    return token


def _open_invitation(token: str) -> ClientInvitation:
    invitation = (
        ClientInvitation.objects.select_for_update()
        .filter(
            token_hash=_hash(token),
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .first()
    )
    if invitation is None:
        raise InvalidInvitation()
    return invitation


def _join(invitation: ClientInvitation, user_id: int) -> InvitationJoined:
    client = Client.objects.select_for_update().get(pk=invitation.client_id)
    if client.user_id not in (None, user_id):
        raise ConflictError("This client has already joined.", code=ErrorCode.ALREADY_JOINED)
    now = timezone.now()
    client.user_id = user_id
    client.joined_at = client.joined_at or now
    client.save(update_fields=["user", "joined_at", "updated_at"])
    invitation.accepted_at = now
    invitation.accepted_by_id = user_id
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    membership_ensure(
        company_id=client.company_id,
        user_id=user_id,
        role=Role.CLIENT,
        first_name=client.first_name,
        last_name=client.last_name,
    )
    catalogue_changed(client.company_id)
    return InvitationJoined(company_id=client.company_id, client_id=client.pk, user_id=user_id)


@transaction.atomic
def client_invitation_accept(*, token: str, user_id: int) -> InvitationJoined:
    """The signed-in ``user_id`` accepts an invitation sent to their own, verified address."""
    invitation = _open_invitation(token)
    person = user_identity(user_id=user_id)
    if person is None:
        raise InvalidInvitation()
    if person.is_staff:
        raise StaffAccountRefused()
    if person.email != normalize_email(invitation.email):
        raise InvitationEmailMismatch()
    user_require_verified_email(user_id=user_id)
    return _join(invitation, user_id)


@dataclass(frozen=True, slots=True)
class InvitationSignup:
    joined: InvitationJoined
    tokens: TokenPair


@transaction.atomic
def client_invitation_signup(
    *, token: str, password: str, first_name: str = "", last_name: str = "", phone: str = ""
) -> InvitationSignup:
    """Create an account for the invited address through the link (which proves the
    address), join the company and sign in."""
    invitation = _open_invitation(token)
    if user_id_for_email(email=invitation.email) is not None:
        raise AccountExists()
    user_id = user_create(
        email=invitation.email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        email_verified=True,
    )
    joined = _join(invitation, user_id)
    return InvitationSignup(joined=joined, tokens=auth_tokens_for(user_id=user_id))
