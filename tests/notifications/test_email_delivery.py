"""Emails go out through Django's SMTP backend to a real SMTP server on loopback: the
right subject, recipients, both parts and the invoice PDF; an SMTP server that is down
means retries with back-off and exactly one email once it is back; a delivery that keeps
failing stays failed until it is resent."""

import io
import threading
from datetime import timedelta
from email.header import decode_header, make_header

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from pypdf import PdfReader

from apps.billing.services import invoice_raise
from apps.notifications.categories import Category
from apps.notifications.models import Delivery, DeliveryStatus, NotificationDispatch
from apps.notifications.services import (
    Recipient,
    SendOutcome,
    delivery_resend,
    delivery_send,
    notification_send,
)
from tests.accounts.factories import UserFactory
from tests.accounts.smtp import SMTPServer, free_port
from tests.billing.factories import OCTOBER, billed_company
from tests.companies.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp_settings(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    return settings


@pytest.fixture
def smtp(smtp_settings):
    with SMTPServer(port=smtp_settings.EMAIL_PORT) as server:
        yield server


def subject(message):
    return str(make_header(decode_header(message["Subject"])))


def parts(message):
    found = {}
    for part in message.walk():
        kind = part.get_content_type()
        if kind in ("text/plain", "text/html", "application/pdf"):
            found[kind] = part.get_payload(decode=True)
    return found


def test_an_issued_invoice_is_emailed_to_the_billing_address_with_its_pdf(
    smtp, django_capture_on_commit_callbacks
):
    company = billed_company(name="Lekki Gardens Realty", billing_email="accounts@lekki.ng")
    admin = MembershipFactory(company=company, role="company_admin").user

    with django_capture_on_commit_callbacks(execute=True):
        invoice = invoice_raise(company_id=company.pk, period=OCTOBER)

    [message] = smtp.inbox.messages
    assert message["To"] == "accounts@lekki.ng"
    assert subject(message) == f"Invoice {invoice.number} for ₦80,625.00"
    body = parts(message)
    assert "₦80,625.00" in body["text/plain"].decode()
    assert "Lekki Gardens Realty" in body["text/html"].decode()
    pdf = PdfReader(io.BytesIO(body["application/pdf"]))
    assert invoice.number in "".join(page.extract_text() for page in pdf.pages)
    email = Delivery.objects.get(channel="email")
    assert (email.status, email.to, email.attempts) == (DeliveryStatus.SENT, "accounts@lekki.ng", 1)
    assert email.provider_message_id == message["Message-ID"]
    # The admins see it in the app, and get no email of their own.
    in_app = Delivery.objects.get(channel="in_app")
    assert (in_app.user_id, in_app.status) == (admin.pk, DeliveryStatus.SENT)
    assert admin.notifications.get().notification.title == subject(message)


def tell(user, key="weekly:1"):
    return notification_send(
        category=Category.WEEKLY_SUMMARY,
        key=key,
        event="weekly_summary",
        company_id=None,
        recipients=[Recipient(user_id=user.pk, email=user.email)],
        context={
            "company_name": "Abuja Homes Ltd",
            "week_start": "2026-11-16",
            "week_end": "2026-11-22",
            "sales": 3,
            "revenue": "45000000.00",
            "new_clients": 2,
            "commissions": "2250000.00",
            "api_calls": 1200,
            "link": "",
        },
    )


def test_smtp_down_means_retries_then_exactly_one_email_when_it_is_back(
    smtp_settings, django_capture_on_commit_callbacks
):
    user = UserFactory(email="ada@abuja-homes.ng")
    with django_capture_on_commit_callbacks(execute=True):
        tell(user)  # nobody listens on EMAIL_PORT: refused

    delivery = Delivery.objects.get(channel="email")
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.QUEUED, 1)
    assert "ConnectionRefusedError" in delivery.last_error
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=55)
    # Not due yet: the sweep leaves it alone.
    call_command("send_pending_notifications", stdout=io.StringIO())
    assert Delivery.objects.get(pk=delivery.pk).attempts == 1

    later = timezone.now() + timedelta(minutes=3)
    with SMTPServer(port=smtp_settings.EMAIL_PORT) as server, time_machine.travel(later):
        out = io.StringIO()
        call_command("send_pending_notifications", stdout=out)
        call_command("send_pending_notifications", stdout=io.StringIO())
        assert delivery_send(delivery_id=delivery.pk) == (SendOutcome.NOT_CLAIMED, None)

    assert [m["To"] for m in server.inbox.messages] == ["ada@abuja-homes.ng"]
    assert out.getvalue().strip() == "1 due: 1 sent"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (DeliveryStatus.SENT, 2, "")
    assert NotificationDispatch.objects.get().sent == 2  # the email and the in-app row


def test_a_delivery_that_keeps_failing_stays_failed_until_resent(
    smtp_settings, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        tell(user)
    delivery = Delivery.objects.get(channel="email")
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        assert delivery_send(delivery_id=delivery.pk)[0] == SendOutcome.FAILED

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 2)
    assert NotificationDispatch.objects.get().failed == 1
    call_command("send_pending_notifications", stdout=io.StringIO())
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.FAILED

    assert delivery_resend(delivery_id=delivery.pk) is True
    assert delivery_resend(delivery_id=delivery.pk) is False  # queued now, not failed
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.QUEUED, 0)
    assert NotificationDispatch.objects.get().failed == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_on_one_delivery_send_it_once(smtp):
    user = UserFactory()
    tell(user)  # committed (transaction=True): the eager task already sent it...
    delivery = Delivery.objects.get(channel="email")
    assert len(smtp.inbox.messages) == 1
    # ...so put it back in the queue, as after a lost task, and let ten workers race.
    Delivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.QUEUED)
    outcomes, barrier = [], threading.Barrier(10)

    def worker():
        try:
            barrier.wait()
            outcomes.append(delivery_send(delivery_id=delivery.pk)[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == [SendOutcome.NOT_CLAIMED] * 9 + [SendOutcome.SENT]
    assert len(smtp.inbox.messages) == 2  # the first send, and exactly one more
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.SENT


def test_the_same_key_is_notified_once(django_capture_on_commit_callbacks, mailoutbox):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = tell(user, key="weekly:7")
        again = tell(user, key="weekly:7")

    assert first.notification_id and first.queued == 1 and first.in_app == 1
    assert again.notification_id is None
    assert len(mailoutbox) == 1
    assert Delivery.objects.count() == 2
