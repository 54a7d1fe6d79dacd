"""Signing up as a marketer: an account (verified by email) and a marketer profile."""

from django.db import transaction

from apps.accounts.services import SignupPurpose, account_register
from apps.core.phones import phone_clean
from apps.marketers.models import MarketerProfile


@transaction.atomic
def marketer_profile_ensure(*, user_id: int, phone: str = "") -> MarketerProfile:
    defaults = {"phone": phone_clean(phone)}
    profile, _ = MarketerProfile.objects.get_or_create(user_id=user_id, defaults=defaults)
    return profile


@transaction.atomic
def marketer_register(
    *, email: str, password: str, first_name: str = "", last_name: str = "", phone: str = ""
) -> int | None:
    """Create a marketer's account (to verify by email) and profile; they then apply to
    companies one by one. Returns the new user's id, or None when the email already had
    an account (nothing created; the owner is emailed, and can apply once signed in)."""
    phone = phone_clean(phone)
    registration = account_register(
        email=email,
        password=password,
        purpose=SignupPurpose.MARKETER,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
    )
    if registration.user_id is not None:
        MarketerProfile.objects.create(user_id=registration.user_id, phone=phone)
    return registration.user_id
