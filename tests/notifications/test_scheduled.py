"""The scheduled notices: trial and paid access ending, and the weekly summary; each once
per company and date however often (or late) the job runs, in a fixed number of queries
per batch of companies."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import count
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.companies.models import SubscriptionStatus
from apps.notifications import outbox_bulk, scheduled
from apps.notifications.categories import Category
from apps.notifications.models import (
    Delivery,
    DeliveryStatus,
    Notification,
    NotificationDispatch,
    NotificationPreference,
    UserNotification,
)
from apps.notifications.rendering import render_email
from apps.notifications.tasks import send_trial_and_subscription_alerts, send_weekly_summaries
from apps.usage.models import UsageRecord
from tests.companies.factories import CompanyFactory, MembershipFactory, TrialCompanyFactory
from tests.estates.factories import ClientFactory
from tests.estates.sales import make_sale
from tests.marketers.factories import AffiliationFactory

pytestmark = pytest.mark.django_db

LAGOS = ZoneInfo("Africa/Lagos")
# A Monday, 09:00 in Lagos (08:00 UTC).
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=LAGOS)


def _at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LAGOS)


def _with_admin(company, **user):
    membership = MembershipFactory(company=company, role="company_admin", **user)
    return membership.user


def _trial_ending(ends_at: datetime):
    company = TrialCompanyFactory(trial_ends_at=ends_at)
    return company, _with_admin(company)


def _keys(category: Category) -> list[str]:
    return sorted(Notification.objects.filter(category=category).values_list("key", flat=True))


# --- trial ending ---------------------------------------------------------------------------


def test_a_trial_ending_in_3_days_is_told_once_however_often_the_job_runs(time_machine, commit):
    time_machine.move_to(MONDAY, tick=False)
    # Thursday 18:00 Lagos: 3 days ahead by Lagos dates.
    company, admin = _trial_ending(_at(date(2026, 3, 5), 18))
    member = MembershipFactory(company=company, role="marketer").user

    for _ in range(3):
        with commit():  # the deliveries are sent once the notice is written
            send_trial_and_subscription_alerts()

    notification = Notification.objects.get()
    assert notification.key == f"trial_ending:3:{company.pk}:2026-03-05"
    assert notification.category == Category.TRIAL_ENDING
    assert notification.company_id == company.pk
    assert notification.context["days_left"] == 3
    assert notification.context["ends_on"] == "2026-03-05"
    assert notification.title == "Your EstateApp free trial ends in 3 days"
    assert list(UserNotification.objects.values_list("user_id", flat=True)) == [admin.pk]
    email = Delivery.objects.get(channel="email")
    assert (email.to, email.user_id, email.status) == (admin.email, admin.pk, "sent")
    in_app = Delivery.objects.get(channel="in_app")
    assert (in_app.status, in_app.sent_at) == ("sent", notification.created_at)
    assert not Delivery.objects.filter(user=member).exists()
    assert [(m.subject, m.to) for m in mail.outbox] == [
        ("Your EstateApp free trial ends in 3 days", [admin.email])
    ]
    assert "5 March 2026" in mail.outbox[0].body
    assert NotificationDispatch.objects.get().recipients == 1


def test_the_1_day_notice_comes_later_and_nothing_between(time_machine):
    time_machine.move_to(MONDAY, tick=False)
    company, _ = _trial_ending(_at(date(2026, 3, 5), 18))
    send_trial_and_subscription_alerts()

    time_machine.move_to(_at(date(2026, 3, 3)), tick=False)  # 2 days left: the 3 was sent
    send_trial_and_subscription_alerts()
    assert _keys(Category.TRIAL_ENDING) == [f"trial_ending:3:{company.pk}:2026-03-05"]

    time_machine.move_to(_at(date(2026, 3, 4)), tick=False)
    send_trial_and_subscription_alerts()
    send_trial_and_subscription_alerts()
    assert _keys(Category.TRIAL_ENDING) == [
        f"trial_ending:1:{company.pk}:2026-03-05",
        f"trial_ending:3:{company.pk}:2026-03-05",
    ]
    one_day = Notification.objects.get(key__startswith="trial_ending:1:")
    assert one_day.context["days_left"] == 1

    time_machine.move_to(_at(date(2026, 3, 5)), tick=False)  # the last day: nothing more
    send_trial_and_subscription_alerts()
    assert Notification.objects.count() == 2


def test_a_missed_day_catches_up_with_the_nearest_threshold_only(time_machine):
    # The job did not run on the 3-days-left day: with 2 left, the 3-day notice goes
    # out (saying 2 days); a trial first seen with 1 day left gets only the 1-day one.
    time_machine.move_to(_at(date(2026, 3, 3)), tick=False)
    two_left, _ = _trial_ending(_at(date(2026, 3, 5), 12))
    one_left, _ = _trial_ending(_at(date(2026, 3, 4), 12))

    send_trial_and_subscription_alerts()

    assert _keys(Category.TRIAL_ENDING) == sorted(
        [f"trial_ending:3:{two_left.pk}:2026-03-05", f"trial_ending:1:{one_left.pk}:2026-03-04"]
    )
    late = Notification.objects.get(key__startswith=f"trial_ending:3:{two_left.pk}")
    assert late.context["days_left"] == 2


def test_lagos_dates_decide_the_days_left(time_machine):
    # 23:30 UTC on the 4th is 00:30 on the 5th in Lagos: 3 days from Monday the 2nd.
    time_machine.move_to(MONDAY, tick=False)
    company, _ = _trial_ending(datetime(2026, 3, 4, 23, 30, tzinfo=ZoneInfo("UTC")))
    send_trial_and_subscription_alerts()
    assert _keys(Category.TRIAL_ENDING) == [f"trial_ending:3:{company.pk}:2026-03-05"]


def test_a_company_that_subscribed_or_has_no_admin_gets_no_trial_notice(time_machine):
    time_machine.move_to(MONDAY, tick=False)
    ends_at = _at(date(2026, 3, 5), 12)
    subscribed = CompanyFactory(
        subscription_status=SubscriptionStatus.ACTIVE, trial_ends_at=ends_at
    )
    _with_admin(subscribed)
    TrialCompanyFactory(trial_ends_at=ends_at)  # nobody to tell
    suspended_admin = TrialCompanyFactory(trial_ends_at=ends_at)
    MembershipFactory(company=suspended_admin, role="company_admin", is_active=False)
    _trial_ending(_at(date(2026, 3, 9), 12))  # a week away: not yet

    send_trial_and_subscription_alerts()

    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()


def test_an_extended_trial_is_told_again_for_its_new_end(time_machine):
    time_machine.move_to(MONDAY, tick=False)
    company, _ = _trial_ending(_at(date(2026, 3, 5), 12))
    send_trial_and_subscription_alerts()
    company.trial_ends_at = _at(date(2026, 3, 12), 12)
    company.save()

    time_machine.move_to(_at(date(2026, 3, 9)), tick=False)
    send_trial_and_subscription_alerts()

    assert _keys(Category.TRIAL_ENDING) == [
        f"trial_ending:3:{company.pk}:2026-03-05",
        f"trial_ending:3:{company.pk}:2026-03-12",
    ]


# --- subscription ending --------------------------------------------------------------------


_card_numbers = count(1)


def _card_company(*, period_end: datetime, cancelling: bool):
    n = next(_card_numbers)
    company = CompanyFactory(
        stripe_customer_id=f"cus_test{n}",
        stripe_subscription_id=f"sub_test{n}",
        current_period_end=period_end,
        cancel_at_period_end=cancelling,
        subscription_ends_at=period_end if cancelling else None,
    )
    return company, _with_admin(company)


def test_paid_access_ending_in_7_days_is_told_once(time_machine):
    time_machine.move_to(MONDAY, tick=False)
    ends_at = _at(date(2026, 3, 9), 14)
    cancelling, admin = _card_company(period_end=ends_at, cancelling=True)
    _card_company(period_end=ends_at + timedelta(seconds=1), cancelling=False)  # renews
    offline = CompanyFactory()  # pays each monthly invoice: no end date
    _with_admin(offline)

    send_trial_and_subscription_alerts()
    send_trial_and_subscription_alerts()

    notification = Notification.objects.get()
    assert notification.category == Category.SUBSCRIPTION_ENDING
    assert notification.key == f"subscription_ending:7:{cancelling.pk}:2026-03-09"
    assert notification.context["days_left"] == 7
    assert notification.context["ends_on"] == "2026-03-09"
    assert list(UserNotification.objects.values_list("user_id", flat=True)) == [admin.pk]

    # Cancelled later, with 3 days left: told once, saying 3 days.
    time_machine.move_to(_at(date(2026, 3, 6)), tick=False)
    late, _ = _card_company(period_end=_at(date(2026, 3, 9), 10), cancelling=True)
    send_trial_and_subscription_alerts()
    assert Notification.objects.get(company_id=late.pk).context["days_left"] == 3
    assert Notification.objects.count() == 2


def test_a_suspended_company_gets_no_subscription_notice(time_machine):
    time_machine.move_to(MONDAY, tick=False)
    company, _ = _card_company(period_end=_at(date(2026, 3, 9)), cancelling=True)
    company.subscription_status = SubscriptionStatus.SUSPENDED
    company.save()
    send_trial_and_subscription_alerts()
    assert not Notification.objects.exists()


# --- the weekly summary ---------------------------------------------------------------------

# The week of Monday 2 to Sunday 8 March 2026, summarised on Monday the 9th.
SUMMARY_MONDAY = datetime(2026, 3, 9, 8, 0, tzinfo=LAGOS)


def _sale(time_machine, moment: datetime, company, **kwargs):
    time_machine.move_to(moment, tick=False)
    return make_sale(company, **kwargs)


def test_the_weekly_summary_counts_the_week_in_lagos_time_and_goes_once(time_machine):
    time_machine.move_to(datetime(2026, 2, 20, 12, tzinfo=LAGOS), tick=False)
    company = CompanyFactory()
    admin = _with_admin(company)
    affiliation = AffiliationFactory(company=company, commission_rate=Decimal("5.00"))
    other = CompanyFactory()
    _with_admin(other)

    # In the week: Monday 00:10 Lagos (Sunday 23:10 UTC) and Sunday 23:30 Lagos (22:30 UTC).
    _sale(time_machine, _at(date(2026, 3, 2), 0, 10), company, price=Decimal("1000000.50"))
    _sale(
        time_machine,
        _at(date(2026, 3, 8), 23, 30),
        company,
        affiliation=affiliation,
        price=Decimal("3000000.00"),
    )
    # Out of it: Sunday 23:30 Lagos the week before, Monday 00:30 Lagos after.
    _sale(time_machine, _at(date(2026, 3, 1), 23, 30), company, affiliation=affiliation)
    _sale(time_machine, _at(date(2026, 3, 9), 0, 30), company, affiliation=affiliation)
    # A reservation is no sale; a sale cancelled is none either (nor its commission).
    _sale(time_machine, _at(date(2026, 3, 4), 12), company, complete=False)
    cancelled = _sale(time_machine, _at(date(2026, 3, 5), 12), company, affiliation=affiliation)
    from apps.estates.services import purchase_cancel

    purchase_cancel(company_id=company.pk, purchase_id=cancelled.pk)
    # Another company's sale stays its own.
    _sale(time_machine, _at(date(2026, 3, 3), 12), other, price=Decimal("7.00"))
    # A client recorded in the week who bought nothing.
    time_machine.move_to(_at(date(2026, 3, 6), 15), tick=False)
    ClientFactory(company=company)
    for day, calls in [(1, 7), (2, 100), (5, 25), (8, 50), (9, 999)]:
        UsageRecord.objects.create(company=company, day=date(2026, 3, day), api_calls=calls)

    time_machine.move_to(SUMMARY_MONDAY, tick=False)
    send_weekly_summaries()
    send_weekly_summaries()

    summary = Notification.objects.get(company_id=company.pk)
    assert summary.key == f"weekly_summary:{company.pk}:2026-03-02"
    assert summary.category == Category.WEEKLY_SUMMARY
    assert summary.context == {
        "company_name": company.name,
        "link": summary.link,
        "week_start": "2026-03-02",
        "week_end": "2026-03-08",
        "sales": 2,
        "revenue": "4000000.50",
        # The clients of the two sales, the reservation and the cancelled sale, and one
        # recorded alone.
        "new_clients": 5,
        "commissions": "150000.00",  # 5 % of ₦3,000,000.00
        "api_calls": 175,
    }
    assert Notification.objects.get(company_id=other.pk).context["revenue"] == "7.00"
    assert Notification.objects.count() == 2
    assert UserNotification.objects.filter(notification=summary).get().user_id == admin.pk
    email = render_email(Category.WEEKLY_SUMMARY, summary.context)
    assert "₦4,000,000.50" in email.text
    assert "Plot sales: 2\n" in email.text


def test_a_summary_on_tuesday_is_still_last_weeks_and_not_sent_again(time_machine):
    time_machine.move_to(SUMMARY_MONDAY, tick=False)
    company = CompanyFactory()
    _with_admin(company)
    send_weekly_summaries()
    time_machine.move_to(SUMMARY_MONDAY + timedelta(days=1), tick=False)
    send_weekly_summaries()
    assert _keys(Category.WEEKLY_SUMMARY) == [f"weekly_summary:{company.pk}:2026-03-02"]


def test_the_summary_skips_companies_out_of_service_or_without_admins(time_machine):
    time_machine.move_to(SUMMARY_MONDAY, tick=False)
    trial = TrialCompanyFactory(trial_ends_at=SUMMARY_MONDAY + timedelta(days=3))
    _with_admin(trial)
    expired_trial = TrialCompanyFactory(trial_ends_at=SUMMARY_MONDAY - timedelta(days=30))
    _with_admin(expired_trial)
    suspended = CompanyFactory(subscription_status=SubscriptionStatus.SUSPENDED)
    _with_admin(suspended)
    CompanyFactory()  # no admin

    send_weekly_summaries()

    assert list(Notification.objects.values_list("company_id", flat=True)) == [trial.pk]


def test_the_summary_respects_preferences(time_machine):
    time_machine.move_to(SUMMARY_MONDAY, tick=False)
    company = CompanyFactory()
    quiet = _with_admin(company)
    loud = _with_admin(company)
    NotificationPreference.objects.create(
        user=quiet, category=Category.WEEKLY_SUMMARY, email=False, sms=False
    )

    send_weekly_summaries()

    assert sorted(Delivery.objects.values_list("user_id", "channel")) == sorted(
        [(quiet.pk, "in_app"), (loud.pk, "email"), (loud.pk, "in_app")]
    )
    dispatch = NotificationDispatch.objects.get()
    assert (dispatch.recipients, dispatch.queued, dispatch.sent) == (2, 1, 2)


def test_a_run_beside_this_one_that_wrote_a_key_first_is_not_repeated(time_machine, monkeypatch):
    # Two runs at once: the other wrote one company's notice after this one looked, so
    # the bulk insert fails on the key; each notice is then written alone, that one not.
    time_machine.move_to(SUMMARY_MONDAY, tick=False)
    first, second = CompanyFactory(), CompanyFactory()
    _with_admin(first)
    _with_admin(second)
    scheduled.weekly_summaries_send()
    Notification.objects.filter(company_id=second.pk).delete()
    monkeypatch.setattr(outbox_bulk, "keys_notified", lambda keys: set())
    monkeypatch.setattr(scheduled, "keys_notified", lambda keys: set())

    run = scheduled.weekly_summaries_send()

    assert run.notified == 1
    assert Notification.objects.count() == 2
    assert Delivery.objects.filter(status=DeliveryStatus.QUEUED).count() == 2


# --- queries per batch ----------------------------------------------------------------------


def _count_queries(job) -> int:
    with CaptureQueriesContext(connection) as queries:
        job()
    return len(queries)


@pytest.mark.parametrize(
    ("make", "job"),
    [
        (
            lambda: _trial_ending(_at(date(2026, 3, 12), 12)),
            lambda: scheduled.trial_ending_alerts_send(),
        ),
        (
            lambda: _with_admin(CompanyFactory()),
            lambda: scheduled.weekly_summaries_send(),
        ),
    ],
    ids=["trial_ending", "weekly_summary"],
)
def test_a_batch_costs_the_same_queries_for_3_or_30_companies(time_machine, make, job):
    time_machine.move_to(SUMMARY_MONDAY, tick=False)
    for _ in range(3):
        make()
    few = _count_queries(job)
    again_few = _count_queries(job)
    Notification.objects.all().delete()
    for _ in range(27):
        make()
    many = _count_queries(job)
    again_many = _count_queries(job)

    assert Notification.objects.count() == 30
    assert many == few
    assert again_many == again_few < few
