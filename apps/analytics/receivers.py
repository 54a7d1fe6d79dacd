"""Analytics listens: sign-ins (accounts) and exports (billing) become buffered events.
Views, searches and the other exports are seen by events.middleware."""

from typing import Any

from django.dispatch import receiver

from apps.accounts import signals as accounts
from apps.analytics.events.capture import event_record
from apps.analytics.models import EventKind
from apps.billing import signals as billing
from apps.companies.selectors import memberships_for_user


@receiver(accounts.user_logged_in)
def on_login(sender: Any, user: Any, **kwargs: Any) -> None:
    # A person acting for several companies signed in to each of them.
    for membership in memberships_for_user(user_id=user.pk):
        if membership.is_active:
            event_record(
                company_id=membership.company_id,
                kind=EventKind.LOGIN,
                user_id=user.pk,
                role=membership.role,
            )


@receiver(billing.data_exported)
def on_data_exported(
    sender: Any,
    company_id: int,
    user_id: int | None,
    kind: str,
    object_id: int | None = None,
    **kwargs: Any,
) -> None:
    event_record(
        company_id=company_id,
        kind=EventKind.EXPORT,
        user_id=user_id,
        object_id=object_id,
        metadata={"what": kind},
    )
