"""Who gets what: each published event becomes the messages the issue names, on the
channels each person chose (mandatory categories ignore the choice)."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.services import user_grant_billing_staff
from apps.billing import signals as billing
from apps.billing.services import credit_create, monthly_invoices_generate
from apps.companies import signals as companies
from apps.core.events import dispatch
from apps.marketers import signals as marketers
from apps.notifications import tasks
from apps.notifications.models import (
    Delivery,
    DeliveryStatus,
    Notification,
    NotificationPreference,
)
from apps.payments import signals as payments
from apps.usage import signals as usage
from tests.accounts.factories import UserFactory
from tests.billing.factories import OCTOBER, billed_company
from tests.companies.factories import CompanyFactory, MembershipFactory
from tests.marketers.factories import AffiliationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    """Send an event as its publisher's commit would; the sending it causes runs too."""

    def send(signal, **payload):
        with django_capture_on_commit_callbacks(execute=True):
            dispatch(signal, sender=None, **payload)

    return send


def sent(**filters):
    """(channel, to, status) of each delivery, in a stable order."""
    rows = Delivery.objects.filter(**filters).order_by("channel", "to", "user_id")
    return [(d.channel, d.to, d.status) for d in rows]


def pay_commission(publish, affiliation, commission_id=41):
    publish(
        marketers.commission_paid,
        commission_id=commission_id,
        company_id=affiliation.company_id,
        affiliation_id=affiliation.pk,
        amount=Decimal("250000.00"),
        payment_reference="GTB-TRF-0091",
    )


def test_a_paid_commission_reaches_the_marketer_by_email_sms_and_in_app(publish, mailoutbox):
    affiliation = AffiliationFactory(
        marketer__user__email="tunde@marketers.ng", marketer__phone="+2348061234567"
    )

    pay_commission(publish, affiliation)

    user = affiliation.marketer.user
    assert sent() == [
        ("email", "tunde@marketers.ng", DeliveryStatus.SENT),
        ("in_app", "", DeliveryStatus.SENT),
        ("sms", "+2348061234567", DeliveryStatus.SENT),
    ]
    [email] = mailoutbox
    assert email.to == ["tunde@marketers.ng"]
    assert "₦250,000.00" in email.subject
    assert user.notifications.get().notification.category == "commission_paid"


def test_a_marketer_who_turned_email_off_gets_the_rest(publish, mailoutbox):
    affiliation = AffiliationFactory(marketer__phone="+2348061234567")
    NotificationPreference.objects.create(
        user=affiliation.marketer.user, category="commission_paid", email=False
    )

    pay_commission(publish, affiliation)

    assert [channel for channel, _, _ in sent()] == ["in_app", "sms"]
    assert mailoutbox == []


def test_a_failed_payment_reaches_the_admins_and_our_billing_team_whatever_they_chose(publish):
    company = CompanyFactory()
    with_phone = MembershipFactory(company=company, user__phone="+2348031234567").user
    without_phone = MembershipFactory(company=company).user
    NotificationPreference.objects.create(
        user=with_phone, category="payment_failed", email=False, sms=False, in_app=False
    )
    staff = UserFactory(email="billing@estateapp.ng")
    user_grant_billing_staff(user_id=staff.pk)

    publish(
        payments.payment_failed,
        payment_id=7,
        company_id=company.pk,
        invoice_id=None,
        amount=Decimal("80625.00"),
        method="stripe",
        reason="Your card has insufficient funds.",
    )

    assert sent(user=with_phone) == [
        ("email", with_phone.email, DeliveryStatus.SENT),
        ("in_app", "", DeliveryStatus.SENT),
        ("sms", "+2348031234567", DeliveryStatus.SENT),
    ]
    assert sent(user=without_phone) == [
        ("email", without_phone.email, DeliveryStatus.SENT),
        ("in_app", "", DeliveryStatus.SENT),
        ("sms", "", DeliveryStatus.SKIPPED),
    ]
    assert Delivery.objects.get(user=without_phone, channel="sms").last_error == (
        "No phone number."
    )
    assert sent(user=staff) == [("email", "billing@estateapp.ng", DeliveryStatus.SENT)]


def test_the_daily_limit_notice_goes_out_once_a_company_and_day(publish):
    company = CompanyFactory()
    MembershipFactory(company=company)

    for day in (date(2026, 11, 26), date(2026, 11, 26), date(2026, 11, 27)):
        publish(
            usage.api_limit_exceeded,
            company_id=company.pk,
            day=day,
            daily_limit=10000,
        )

    assert Notification.objects.filter(category="api_limit_exceeded").count() == 2


def test_subscription_changes_reach_the_admins_only(publish):
    company = CompanyFactory()
    admin = MembershipFactory(company=company).user
    MembershipFactory(company=company, role="marketer")
    inactive = MembershipFactory(company=company, user__is_active=False).user

    publish(companies.company_suspended, company_id=company.pk, reason="Unpaid")

    notification = Notification.objects.get()
    assert notification.category == "subscription_changed"
    assert "suspended" in notification.title
    assert {row.user_id for row in notification.recipients.all()} == {admin.pk}
    assert not Delivery.objects.filter(user=inactive).exists()


def test_a_rejected_affiliation_tells_the_marketer_why(publish):
    affiliation = AffiliationFactory(status="rejected")

    publish(
        marketers.affiliation_rejected,
        affiliation_id=affiliation.pk,
        company_id=affiliation.company_id,
        marketer_user_id=affiliation.marketer.user_id,
        reason="We are not taking marketers in Abuja this quarter.",
        decided_by_id=None,
    )

    notification = Notification.objects.get()
    assert "not taking marketers in Abuja" in notification.body
    assert sent() == [
        ("email", affiliation.marketer.user.email, DeliveryStatus.SENT),
        ("in_app", "", DeliveryStatus.SENT),
    ]


def test_a_batch_of_issued_invoices_is_told_in_the_same_queries_whatever_its_size():
    def issued(count):
        companies = [billed_company() for _ in range(count)]
        for company in companies:
            MembershipFactory(company=company)
        # The first one's credit pays its whole invoice as it is issued.
        credit_create(
            company_id=companies[0].pk,
            amount=Decimal("100000.00"),
            reason="Goodwill",
            created_by_id=None,
        )
        ids = []
        for company in companies:
            ids += monthly_invoices_generate(period=OCTOBER, company_id=company.pk).invoice_ids
        return ids

    small, large = issued(2), issued(6)
    counts = []
    for ids in (small, large):
        with CaptureQueriesContext(connection) as queries:
            dispatch(billing.invoices_issued, sender=None, invoice_ids=ids)
        counts.append(len(queries))

    assert counts[0] == counts[1]
    assert Notification.objects.filter(category="invoice_issued").count() == 8
    assert sent(channel="email", user=None) == sorted(
        ("email", email, DeliveryStatus.QUEUED)
        for email in Notification.objects.filter(category="invoice_issued").values_list(
            "company__billing_email", flat=True
        )
    )
    assert Delivery.objects.filter(channel="in_app").count() == 8 + 2  # one admin each
    renewed = Notification.objects.filter(category="subscription_renewed")
    assert renewed.count() == 2  # the two paid by credits: told they are paid, once each


def test_a_batch_is_told_here_when_no_worker_can_be_asked(publish, monkeypatch, caplog):
    def broker_down(**kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(tasks.tell_invoices_issued, "delay", broker_down)
    company = billed_company()
    ids = monthly_invoices_generate(period=OCTOBER, company_id=company.pk).invoice_ids

    publish(billing.invoices_issued, invoice_ids=ids)

    assert Notification.objects.get().key == f"invoice_issued:{ids[0]}"
    assert sent(channel="email") == [("email", company.billing_email, DeliveryStatus.SENT)]
    assert "Could not hand 1 issued invoices to a worker" in caplog.text
