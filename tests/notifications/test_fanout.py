"""A fan-out to many people: a constant number of queries per batch of recipients, the
right rows (in-app, queued, skipped), preferences applied unless the category is
mandatory, and a key told twice writes nothing the second time."""

import math
import re
from collections import Counter
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import User
from apps.notifications import audiences, outbox, tasks
from apps.notifications.categories import Category, Channel
from apps.notifications.models import (
    Delivery,
    DeliveryStatus,
    Notification,
    NotificationDispatch,
    NotificationPreference,
    UserNotification,
)
from apps.notifications.outbox import Outcome, Recipient, notification_send

BATCH = 50
WEEKLY = {
    "company_name": "Adeyemi Homes Ltd",
    "link": "https://app.example.ng/dashboard",
    "week_start": "2026-11-16",
    "week_end": "2026-11-22",
    "sales": 4,
    "revenue": "12500000.00",
    "new_clients": 3,
    "commissions": "625000.00",
    "api_calls": 18211,
}
PAID = {
    "company_name": "Adeyemi Homes Ltd",
    "link": "https://app.example.ng/marketer/commissions",
    "commission_id": 41,
    "amount": "250000.00",
    "payment_reference": "TRF-2026-0041",
}
FAILED = {
    "company_name": "Adeyemi Homes Ltd",
    "link": "https://app.example.ng/billing",
    "payment_id": 9,
    "amount": "53750.00",
    "reason": "Card declined",
}


def make_users(count: int, *, tag: str, phone_every: int = 1) -> list[int]:
    """``count`` active accounts in one insert; every ``phone_every``-th has a phone."""
    users = User.objects.bulk_create(
        User(
            email=f"{tag}{n}@example.ng",
            first_name=f"Person{n}",
            phone=f"+23480{n:08d}" if n % phone_every == 0 else "",
            password="!",  # unusable
        )
        for n in range(count)
    )
    return [user.pk for user in users]


def recipients_for(user_ids: list[int]) -> list[Recipient]:
    return audiences.users(user_ids)


def send(category: Category, key: str, user_ids: list[int], context: dict[str, Any]) -> Outcome:
    return notification_send(
        category=category,
        key=key,
        event=category.value,
        company_id=None,
        recipients=recipients_for(user_ids),
        context=context,
    )


def prefer(user_ids: list[int], category: Category, **channels: bool) -> None:
    NotificationPreference.objects.bulk_create(
        NotificationPreference(user_id=user_id, category=category, **channels)
        for user_id in user_ids
    )


def table_of(sql: str) -> str:
    """The statement and the table it is about: ``SELECT notifications_notificationpreference``."""
    match = re.search(r'\b(?:FROM|INTO|UPDATE)\s+"(\w+)"', sql, re.IGNORECASE)
    return f"{sql.split(None, 1)[0].upper()} {match.group(1) if match else ''}".strip()


def queries_to_send(key: str, user_ids: list[int]) -> tuple[Outcome, list[str]]:
    recipients = recipients_for(user_ids)  # read before counting: not the outbox's work
    with CaptureQueriesContext(connection) as captured:
        outcome = notification_send(
            category=Category.WEEKLY_SUMMARY,
            key=key,
            event="weekly_summary",
            company_id=None,
            recipients=recipients,
            context=WEEKLY,
        )
    return outcome, [table_of(query["sql"]) for query in captured.captured_queries]


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(outbox, "BATCH_SIZE", BATCH)
    return BATCH


@pytest.mark.django_db
def test_each_batch_of_recipients_costs_the_same_queries(small_batches: int) -> None:
    users = make_users(3 * small_batches, tag="fan")
    # Preferences in every batch (email off, or all on), so each batch reads some.
    email_off = set(users[::7])
    prefer(sorted(email_off), Category.WEEKLY_SUMMARY, email=False)
    prefer(users[3::7], Category.WEEKLY_SUMMARY)

    sends = {}
    for batches in (1, 2, 3):
        told = users[: batches * small_batches]
        outcome, queries = queries_to_send(f"weekly:{batches}", told)
        assert outcome.in_app == len(told)
        assert outcome.queued == len(told) - len(email_off.intersection(told))
        sends[batches] = queries

    per_batch = len(sends[2]) - len(sends[1])
    assert per_batch > 0
    assert len(sends[3]) - len(sends[2]) == per_batch
    assert len(sends[3]) - len(sends[1]) == 2 * per_batch
    # What the batches add is the same statements each time, one preference read each.
    one_more = Counter(sends[2]) - Counter(sends[1])
    two_more = Counter(sends[3]) - Counter(sends[1])
    assert two_more == Counter({name: 2 * count for name, count in one_more.items()})
    assert one_more["SELECT notifications_notificationpreference"] == 1


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_batch_is_three_queries_on_postgresql(small_batches: int) -> None:
    users = make_users(3 * small_batches, tag="pg")
    prefer(users[::5], Category.WEEKLY_SUMMARY, email=False)

    _, one = queries_to_send("weekly:pg1", users[:small_batches])
    _, three = queries_to_send("weekly:pg3", users)

    assert Counter(three) - Counter(one) == Counter(
        {
            "SELECT notifications_notificationpreference": 2,
            "INSERT notifications_usernotification": 2,
            "INSERT notifications_delivery": 2,
        }
    )
    # Around the batches: the notification, the dispatch, the dispatch's counts (and the
    # savepoint this test's transaction turns notification_send's own transaction into).
    assert Counter(one) == {
        "SAVEPOINT": 1,
        "INSERT notifications_notification": 1,
        "INSERT notifications_notificationdispatch": 1,
        "SELECT notifications_notificationpreference": 1,
        "INSERT notifications_usernotification": 1,
        "INSERT notifications_delivery": 1,
        "UPDATE notifications_notificationdispatch": 1,
        "RELEASE": 1,
    }


@pytest.mark.django_db
def test_rows_of_a_fan_out(small_batches: int) -> None:
    # Commission paid: email, SMS and in-app, which people may turn off.
    users = make_users(2 * small_batches + 10, tag="rows", phone_every=3)
    no_phone = set(User.objects.filter(pk__in=users, phone="").values_list("pk", flat=True))
    email_off, sms_off, in_app_off = set(users[1::5]), set(users[2::5]), set(users[3::5])
    everything_off = set(users[4::25])
    prefer(sorted(email_off), Category.COMMISSION_PAID, email=False)
    prefer(sorted(sms_off), Category.COMMISSION_PAID, sms=False)
    prefer(sorted(in_app_off), Category.COMMISSION_PAID, in_app=False)
    prefer(sorted(everything_off), Category.COMMISSION_PAID, email=False, sms=False, in_app=False)
    # Someone's choice for another category changes nothing here.
    prefer(users[::5], Category.WEEKLY_SUMMARY, email=False, sms=False, in_app=False)
    email_off |= everything_off
    sms_off |= everything_off
    in_app_off |= everything_off

    outcome = send(Category.COMMISSION_PAID, "commission_paid:41", users, PAID)

    notification = Notification.objects.get(key="commission_paid:41")
    assert notification.title == "Commission of ₦250,000.00 paid"
    wants_email = set(users) - email_off
    wants_sms = set(users) - sms_off
    wants_in_app = set(users) - in_app_off
    assert (
        set(
            UserNotification.objects.filter(notification=notification).values_list(
                "user_id", flat=True
            )
        )
        == wants_in_app
    )
    deliveries = Delivery.objects.filter(dispatch__notification=notification)
    by_channel = {
        channel: {d.user_id: d for d in deliveries if d.channel == channel} for channel in Channel
    }
    assert set(by_channel[Channel.EMAIL]) == wants_email
    assert set(by_channel[Channel.SMS]) == wants_sms
    assert set(by_channel[Channel.IN_APP]) == wants_in_app

    contacts = {user.pk: user for user in User.objects.filter(pk__in=users)}
    for user_id, delivery in by_channel[Channel.EMAIL].items():
        assert (delivery.status, delivery.to) == (DeliveryStatus.QUEUED, contacts[user_id].email)
        assert delivery.subject == notification.title
        assert delivery.template == "notifications/commission_paid"
        assert delivery.idempotency_key == f"commission_paid:41:email:u{user_id}"
    for user_id, delivery in by_channel[Channel.SMS].items():
        if user_id in no_phone:
            assert delivery.status == DeliveryStatus.SKIPPED
            assert (delivery.to, delivery.last_error) == ("", "No phone number.")
        else:
            assert (delivery.status, delivery.to) == (
                DeliveryStatus.QUEUED,
                contacts[user_id].phone,
            )
    for delivery in by_channel[Channel.IN_APP].values():
        assert delivery.status == DeliveryStatus.SENT
        assert delivery.sent_at is not None

    skipped = len(wants_sms & no_phone)
    queued = len(wants_email) + len(wants_sms) - skipped
    assert outcome == Outcome(
        notification.pk, queued=queued, in_app=len(wants_in_app), skipped=skipped
    )
    dispatch = NotificationDispatch.objects.get(notification=notification)
    assert (
        dispatch.recipients,
        dispatch.queued,
        dispatch.sent,
        dispatch.skipped,
        dispatch.failed,
    ) == (
        len(users),
        queued,
        len(wants_in_app),
        skipped,
        0,
    )


@pytest.mark.django_db
def test_a_mandatory_category_ignores_preferences(small_batches: int) -> None:
    users = make_users(small_batches + 5, tag="must")
    prefer(users, Category.PAYMENT_FAILED, email=False, sms=False, in_app=False)

    outcome = send(Category.PAYMENT_FAILED, "payment_failed:9", users, FAILED)

    assert outcome.in_app == len(users)
    assert outcome.queued == 2 * len(users)  # email and SMS, everyone with a phone
    assert outcome.skipped == 0
    deliveries = Counter(
        Delivery.objects.filter(dispatch__notification_id=outcome.notification_id).values_list(
            "channel", flat=True
        )
    )
    assert deliveries == {
        Channel.EMAIL: len(users),
        Channel.SMS: len(users),
        Channel.IN_APP: len(users),
    }


@pytest.mark.django_db
def test_queued_deliveries_are_handed_to_workers_on_commit_in_chunks(
    small_batches: int,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    users = make_users(3 * small_batches, tag="chunk")
    prefer(users[::4], Category.WEEKLY_SUMMARY, email=False)
    enqueued: list[list[int]] = []
    monkeypatch.setattr(
        tasks.send_deliveries, "delay", lambda *, delivery_ids: enqueued.append(delivery_ids)
    )

    with django_capture_on_commit_callbacks() as callbacks:
        outcome = send(Category.WEEKLY_SUMMARY, "weekly:chunks", users, WEEKLY)
    assert enqueued == []  # nothing before the commit

    for callback in callbacks:
        callback()
    queued = list(
        Delivery.objects.filter(status=DeliveryStatus.QUEUED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    assert len(queued) == outcome.queued == len(users) - len(users[::4])
    assert len(enqueued) == math.ceil(len(queued) / outbox.TASK_CHUNK)
    assert all(len(chunk) <= outbox.TASK_CHUNK for chunk in enqueued)
    assert sorted(pk for chunk in enqueued for pk in chunk) == queued


@pytest.mark.django_db
def test_the_same_key_twice_writes_nothing_the_second_time(
    small_batches: int, django_capture_on_commit_callbacks: Any
) -> None:
    users = make_users(small_batches + 5, tag="twice")
    first = send(Category.WEEKLY_SUMMARY, "weekly_summary:7:2026-11-23", users, WEEKLY)
    assert first.notification_id is not None
    rows = (
        Notification.objects.count(),
        NotificationDispatch.objects.count(),
        UserNotification.objects.count(),
        Delivery.objects.count(),
    )

    changed = {**WEEKLY, "sales": 99}
    with django_capture_on_commit_callbacks() as callbacks:
        again = send(Category.WEEKLY_SUMMARY, "weekly_summary:7:2026-11-23", users, changed)

    assert again == Outcome(notification_id=None)
    assert callbacks == []  # nothing handed to workers
    assert rows == (
        Notification.objects.count(),
        NotificationDispatch.objects.count(),
        UserNotification.objects.count(),
        Delivery.objects.count(),
    )
    assert Notification.objects.get().context["sales"] == WEEKLY["sales"]


@pytest.mark.django_db
def test_addresses_without_accounts_and_email_only_people(small_batches: int) -> None:
    # The invoice's billing address (no account) and our billing team (email only): a
    # batch with no in-app row and no user on some deliveries.
    staff = make_users(small_batches + 3, tag="staff")
    recipients = [
        Recipient(user_id=None, email="Accounts@Adeyemi.example.ng"),
        Recipient(user_id=None, email=""),
        *audiences.users(staff, frozenset({Channel.EMAIL})),
    ]

    outcome = notification_send(
        category=Category.PAYMENT_FAILED,
        key="payment_failed:12",
        event="payment_failed",
        company_id=None,
        recipients=recipients,
        context=FAILED,
    )

    assert outcome.in_app == 0
    assert UserNotification.objects.count() == 0
    deliveries = Delivery.objects.filter(dispatch__notification_id=outcome.notification_id)
    address = deliveries.get(user__isnull=True, to="Accounts@Adeyemi.example.ng")
    assert address.idempotency_key == "payment_failed:12:email:accounts@adeyemi.example.ng"
    # The address-only recipients get the category's channels but in-app: SMS to no phone.
    assert sorted(
        deliveries.filter(user__isnull=True).values_list("channel", "status", "last_error")
    ) == [
        (Channel.EMAIL, DeliveryStatus.QUEUED, ""),
        (Channel.EMAIL, DeliveryStatus.SKIPPED, "No email address."),
        (Channel.SMS, DeliveryStatus.SKIPPED, "No phone number."),
        (Channel.SMS, DeliveryStatus.SKIPPED, "No phone number."),
    ]
    assert set(deliveries.filter(user__isnull=False).values_list("channel", "status")) == {
        (Channel.EMAIL, DeliveryStatus.QUEUED)
    }
    assert deliveries.filter(user__isnull=False).count() == len(staff)
    assert outcome.queued == 1 + len(staff)
    assert outcome.skipped == 3
    assert not deliveries.filter(sent_at__isnull=False).exists()
