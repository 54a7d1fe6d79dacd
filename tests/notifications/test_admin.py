"""Notifications in the admin, as our billing staff use it: the lists, a failed delivery
sent again (once), and the preview of every template; other people kept out."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client

from apps.accounts.services import user_grant_billing_staff
from apps.notifications.categories import Category
from apps.notifications.models import Delivery, DeliveryStatus, NotificationDispatch
from apps.notifications.outbox import Recipient, notification_send
from apps.notifications.samples import sample_context, sample_contexts
from apps.notifications.tasks import send_deliveries
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

ADMIN = "/admin/notifications"
PREVIEW = f"{ADMIN}/notification/preview"


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def staff_client():
    user = UserFactory()
    user_grant_billing_staff(user_id=user.pk)
    return signed_in(user)


def notify(category=Category.WEEKLY_SUMMARY, key="weekly:1", email="ada@adebayo.ng"):
    """A notification to one account, its email left queued (nothing sends it yet)."""
    user = UserFactory(email=email)
    outcome = notification_send(
        category=category,
        key=key,
        event="test",
        company_id=None,
        recipients=[Recipient(user_id=user.pk, email=user.email)],
        context=sample_context(category),
    )
    return outcome, Delivery.objects.get(
        dispatch__notification_id=outcome.notification_id, channel="email"
    )


def failed(delivery):
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED, attempts=5, last_error="SMTPServerDisconnected: gone"
    )
    NotificationDispatch.objects.filter(pk=delivery.dispatch_id).update(failed=1)
    delivery.refresh_from_db()
    return delivery


def test_the_lists_and_pages_load_read_only(staff_client):
    outcome, delivery = notify()

    for path in ("notification", "notificationdispatch", "delivery"):
        response = staff_client.get(f"{ADMIN}/{path}/")
        assert response.status_code == 200, path
    assert (
        delivery.to in staff_client.get(f"{ADMIN}/delivery/", {"q": "ada@adebayo"}).content.decode()
    )
    assert (
        delivery.to not in staff_client.get(f"{ADMIN}/delivery/", {"q": "nobody@"}).content.decode()
    )
    by_key = staff_client.get(f"{ADMIN}/delivery/", {"q": delivery.idempotency_key})
    assert delivery.to in by_key.content.decode()
    filtered = staff_client.get(f"{ADMIN}/delivery/", {"channel__exact": "sms"}).content.decode()
    assert delivery.to not in filtered
    page = staff_client.get(f"{ADMIN}/notification/{outcome.notification_id}/change/")
    assert page.status_code == 200 and "&quot;week_start&quot;" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert staff_client.get(f"{ADMIN}/delivery/{delivery.pk}/change/").status_code == 200
    assert staff_client.get(f"{ADMIN}/delivery/add/").status_code == 403
    assert (
        staff_client.post(f"{ADMIN}/delivery/{delivery.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )


def test_a_failed_delivery_resent_is_queued_then_sent_once(
    staff_client, django_capture_on_commit_callbacks
):
    _, delivery = notify()
    delivery = failed(delivery)
    _, sent = notify(key="weekly:2", email="bola@adebayo.ng")

    with django_capture_on_commit_callbacks() as callbacks:
        response = staff_client.post(
            f"{ADMIN}/delivery/",
            {"action": "resend", "_selected_action": [delivery.pk, sent.pk]},
            follow=True,
        )

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.QUEUED, 0)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "1 failed delivery queued again. 1 that had not failed was left alone."
    ]
    assert NotificationDispatch.objects.get(pk=delivery.dispatch_id).failed == 0
    assert mail.outbox == []

    for callback in callbacks:
        callback()
    send_deliveries(delivery_ids=[delivery.pk])  # the task run twice: still one email

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert [message.to for message in mail.outbox] == [["ada@adebayo.ng"]]
    assert Delivery.objects.get(pk=sent.pk).status == DeliveryStatus.QUEUED  # left alone


def test_staff_without_the_permission_cannot_resend():
    _, delivery = notify()
    delivery = failed(delivery)
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_delivery"))
    client = signed_in(viewer)

    assert 'value="resend"' not in client.get(f"{ADMIN}/delivery/").content.decode()
    client.post(f"{ADMIN}/delivery/", {"action": "resend", "_selected_action": [delivery.pk]})

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED


def test_the_preview_lists_every_category(staff_client):
    response = staff_client.get(f"{PREVIEW}/")

    assert response.status_code == 200
    page = response.content.decode()
    for category in Category:
        for index in range(len(sample_contexts(category))):
            for part in ("html", "text", "sms", "in_app"):
                assert f"{PREVIEW}/{category}/{index}/{part}/" in page
    assert f"{PREVIEW}/" in staff_client.get(f"{ADMIN}/notification/").content.decode()


@pytest.mark.parametrize("category", list(Category))
def test_the_preview_renders_html_and_text_for_every_category(staff_client, category):
    for index in range(len(sample_contexts(category))):
        html = staff_client.get(f"{PREVIEW}/{category}/{index}/html/")
        text = staff_client.get(f"{PREVIEW}/{category}/{index}/text/")
        sms = staff_client.get(f"{PREVIEW}/{category}/{index}/sms/")
        in_app = staff_client.get(f"{PREVIEW}/{category}/{index}/in_app/")

        assert html.status_code == 200 and html["Content-Type"].startswith("text/html")
        assert "<!doctype html>" in html.content.decode()
        assert "Adebayo &amp; Sons" in html.content.decode()
        assert text["Content-Type"] == "text/plain; charset=utf-8"
        assert text.content.decode().startswith("Subject: ")
        assert "Hello,\n" in text.content.decode() and "Adebayo & Sons" in text.content.decode()
        assert sms.status_code == in_app.status_code == 200
        assert sms.content and in_app.content


def test_the_preview_of_an_unknown_template_is_404(staff_client):
    assert staff_client.get(f"{PREVIEW}/no_such/0/html/").status_code == 404
    assert staff_client.get(f"{PREVIEW}/weekly_summary/9/html/").status_code == 404
    assert staff_client.get(f"{PREVIEW}/weekly_summary/0/pdf/").status_code == 404


def test_people_who_are_not_staff_are_kept_out():
    outsiders = {
        "anonymous": Client(),
        "signed in, not staff": signed_in(UserFactory()),
    }
    for who, client in outsiders.items():
        for path in (f"{PREVIEW}/", f"{PREVIEW}/weekly_summary/0/html/", f"{ADMIN}/delivery/"):
            response = client.get(path)
            assert response.status_code == 302, (who, path)
            assert "/admin/login/" in response["Location"], (who, path)
    # Staff, but without the permission to view notifications.
    bare_staff = signed_in(UserFactory(is_staff=True))
    assert bare_staff.get(f"{PREVIEW}/").status_code == 403
    assert bare_staff.get(f"{PREVIEW}/weekly_summary/0/html/").status_code == 403
