"""Unsubscribing from one category's emails by a link, without signing in.

Every email of a category people may turn off carries a signed token naming the
recipient's account and the category (``django.core.signing``, its own salt). The token
carries no timestamp and does not expire, since an old email's link should still work;
it is revoked for every recipient of a category at once by raising that category's
number in TOKEN_VERSIONS.

Two links carry it:
- in the email's footer, the single-page app's page (``/notifications/unsubscribe``), which
  shows what the link is for (GET) and asks before turning anything off (POST), so a
  mail scanner that opens links changes nothing;
- in the ``List-Unsubscribe`` header, the API itself, which mail clients call with
  ``List-Unsubscribe=One-Click`` (RFC 8058) when the person presses "Unsubscribe".
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction

from apps.accounts.selectors import user_contacts_for
from apps.notifications.categories import CATEGORIES, Category
from apps.notifications.errors import CategoryMandatory, InvalidUnsubscribeLink
from apps.notifications.models import NotificationPreference

SALT = "apps.notifications.unsubscribe"
# Longer than any token made (about 110 characters), documented as the query's limit.
TOKEN_MAX_LENGTH = 200
# A category's tokens are valid while they carry its current number (1 when unlisted).
# Raise a number to withdraw every unsubscribe link of that category sent so far.
TOKEN_VERSIONS: dict[Category, int] = {}

ONE_CLICK_PATH = "/api/notifications/unsubscribe/"
PAGE_PATH = "/notifications/unsubscribe"


@dataclass(frozen=True, slots=True)
class Unsubscription:
    user_id: int
    category: Category

    @property
    def label(self) -> str:
        return CATEGORIES[self.category].label


def _version(category: Category) -> int:
    return TOKEN_VERSIONS.get(category, 1)


def unsubscribe_token(*, user_id: int, category: Category | str) -> str:
    """The signed token for ``user_id``'s emails of ``category``."""
    category = Category(category)
    payload = {"u": user_id, "c": category.value, "v": _version(category)}
    return signing.Signer(salt=SALT).sign_object(payload)


def unsubscribe_token_read(*, token: str) -> Unsubscription:
    """Whose emails of which category ``token`` is for. Raises InvalidUnsubscribeLink for
    a tampered, truncated or withdrawn token, CategoryMandatory for a category nobody may
    turn off."""
    try:
        payload = signing.Signer(salt=SALT).unsign_object(token)
        user_id, category = int(payload["u"]), Category(payload["c"])
        version = int(payload["v"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise InvalidUnsubscribeLink() from error
    if version != _version(category):
        raise InvalidUnsubscribeLink()
    if CATEGORIES[category].mandatory:
        raise CategoryMandatory()
    return Unsubscription(user_id=user_id, category=category)


@dataclass(frozen=True, slots=True)
class UnsubscribeLinks:
    page: str  # the single-page app's page, for the email's footer
    one_click: str  # the API, for the List-Unsubscribe header
    label: str

    @property
    def context(self) -> dict[str, Any]:
        """What the templates need for the footer's link."""
        return {"unsubscribe_url": self.page, "unsubscribe_category": self.label}

    @property
    def headers(self) -> dict[str, str]:
        return {
            "List-Unsubscribe": f"<{self.one_click}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }


def unsubscribe_links(*, user_id: int, category: Category | str) -> UnsubscribeLinks | None:
    """The links that unsubscribe ``user_id`` from the emails of ``category``; None for a
    mandatory category."""
    category = Category(category)
    info = CATEGORIES[category]
    if info.mandatory:
        return None
    query = urlencode({"token": unsubscribe_token(user_id=user_id, category=category)})
    return UnsubscribeLinks(
        page=f"{settings.FRONTEND_URL.rstrip('/')}{PAGE_PATH}?{query}",
        one_click=f"{settings.API_PUBLIC_URL.rstrip('/')}{ONE_CLICK_PATH}?{query}",
        label=info.label,
    )


def email_unsubscribe(*, token: str) -> Unsubscription:
    """Turn off the emails of the token's category for its user; their other channels and
    categories stay as they are. Doing it again changes nothing."""
    unsubscription = unsubscribe_token_read(token=token)
    if not user_contacts_for(user_ids=[unsubscription.user_id]):
        raise InvalidUnsubscribeLink()  # the account is gone or closed: it gets no email
    lookup = {"user_id": unsubscription.user_id, "category": unsubscription.category}
    try:
        with transaction.atomic():
            updated = NotificationPreference.objects.filter(**lookup).update(email=False)
            if not updated:
                NotificationPreference.objects.create(**lookup, email=False)
    except IntegrityError:
        # The same link pressed twice at once: the other request made the row; set it.
        NotificationPreference.objects.filter(**lookup).update(email=False)
    return unsubscription


def email_subscribed(*, unsubscription: Unsubscription) -> bool:
    """Whether the user still gets the category's emails."""
    email = (
        NotificationPreference.objects.filter(
            user_id=unsubscription.user_id, category=unsubscription.category
        )
        .values_list("email", flat=True)
        .first()
    )
    return email is not False
