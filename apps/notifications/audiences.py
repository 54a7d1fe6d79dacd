"""Who is told: company admins, a marketer, the company's billing email, our billing
team, as Recipients with their contacts (read through the other apps' selectors)."""

from collections.abc import Iterable
from dataclasses import replace

from apps.accounts.selectors import billing_staff_user_ids, user_contacts_for
from apps.companies.selectors import admin_user_ids, admin_user_ids_for, billing_account
from apps.marketers.selectors import affiliation_info
from apps.notifications.categories import Channel
from apps.notifications.outbox import Recipient


def users(user_ids: Iterable[int], channels: frozenset[Channel] | None = None) -> list[Recipient]:
    """Active accounts, with their email and phone; inactive ones are left out."""
    contacts = user_contacts_for(user_ids=user_ids)
    return [
        Recipient(user_id=user_id, email=contact.email, phone=contact.phone, channels=channels)
        for user_id, contact in sorted(contacts.items())
    ]


def company_admins(company_id: int, channels: frozenset[Channel] | None = None) -> list[Recipient]:
    return users(admin_user_ids(company_id=company_id), channels)


def company_admins_for(
    company_ids: Iterable[int], channels: frozenset[Channel] | None = None
) -> dict[int, list[Recipient]]:
    """``company_admins`` of many companies in two queries."""
    admin_ids = admin_user_ids_for(company_ids=company_ids)
    everyone = {
        recipient.user_id: recipient
        for recipient in users([user_id for ids in admin_ids.values() for user_id in ids], channels)
    }
    return {
        company_id: [everyone[user_id] for user_id in ids if user_id in everyone]
        for company_id, ids in admin_ids.items()
    }


def address(email: str) -> list[Recipient]:
    """An address with no account (a company's billing email): email only."""
    return [Recipient(user_id=None, email=email, channels=frozenset({Channel.EMAIL}))]


def marketer(company_id: int, affiliation_id: int) -> list[Recipient]:
    """The affiliation's marketer; texted at their account's number, else their profile's."""
    affiliation = affiliation_info(company_id=company_id, affiliation_id=affiliation_id)
    if affiliation is None:
        return []
    recipients = users([affiliation.marketer_user_id])
    return [
        replace(recipient, phone=recipient.phone or affiliation.marketer_phone)
        for recipient in recipients
    ]


def billing_email(company_id: int) -> list[Recipient]:
    """The company's billing address (no account: email only)."""
    return address(billing_account(company_id=company_id).billing_email)


def billing_team() -> list[Recipient]:
    """Our own billing staff, by email only."""
    return users(billing_staff_user_ids(), frozenset({Channel.EMAIL}))
