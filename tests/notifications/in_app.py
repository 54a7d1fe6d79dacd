"""In-app notifications made through the real outbox, for API and isolation tests."""

import itertools
from typing import Any

from apps.notifications.categories import Category, Channel
from apps.notifications.models import UserNotification
from apps.notifications.services import Recipient, notification_send

_keys = itertools.count(1)


def notify_in_app(
    company: Any, *users: Any, category: Category = Category.API_LIMIT_EXCEEDED
) -> list[int]:
    """One notification of ``company`` (None: of no company) in the users' in-app lists;
    the ids of their rows, in the order of ``users`` (none for whom turned in-app off)."""
    key = f"test:{next(_keys)}"
    outcome = notification_send(
        category=category,
        key=key,
        event="test",
        company_id=company.pk if company is not None else None,
        recipients=[
            Recipient(user_id=user.pk, email=user.email, channels=frozenset({Channel.IN_APP}))
            for user in users
        ],
        context={
            "company_name": company.name if company is not None else "",
            "day": "2026-03-02",
            "daily_limit": 1000,
            "amount": "150000.00",
            "commission_rate": "2.50",
            "reason": "Not now.",
            "link": "",
        },
        link="https://app.example.ng/billing/subscription",
    )
    rows = dict(
        UserNotification.objects.filter(notification_id=outcome.notification_id).values_list(
            "user_id", "pk"
        )
    )
    return [rows[user.pk] for user in users if user.pk in rows]
