"""Stripe's webhook events in the admin, as our billing staff use it: read-only, filtered,
the payload readable, and a failed event processed again by the reprocess action."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.test import Client

from apps.accounts.services import user_grant_billing_staff
from apps.companies.models import Company
from apps.payments.models import WebhookEvent, WebhookStatus
from tests.accounts.factories import UserFactory
from tests.companies.factories import CompanyFactory
from tests.payments import stripe_objects as so
from tests.payments.stripe_server import price_id
from tests.payments.test_card_subscriptions import subscribed

pytestmark = pytest.mark.django_db

EVENTS = "/admin/payments/webhookevent/"


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def staff_client(db):
    user = UserFactory()
    user_grant_billing_staff(user_id=user.pk)
    return signed_in(user)


def stored(event, status=WebhookStatus.RECEIVED, **fields):
    return WebhookEvent.objects.create(
        event_id=event["id"],
        type=event["type"],
        api_version=event["api_version"],
        created=datetime.fromtimestamp(event["created"], tz=UTC),
        payload=event,
        status=status,
        **fields,
    )


@pytest.fixture
def failed_upgrade(stripe_server):
    company = CompanyFactory(subscription_tier="starter", stripe_customer_id="cus_admin")
    subscription = so.subscription(
        "cus_admin", price_id("professional"), metadata={"company_id": str(company.pk)}
    )
    event = stored(
        so.event("customer.subscription.updated", subscription),
        status=WebhookStatus.FAILED,
        attempts=1,
        last_error="OperationalError: the database went away",
    )
    return company, event


def test_staff_see_the_events_filtered_and_the_payload_readable(staff_client, failed_upgrade):
    _, event = failed_upgrade
    charge = stored(so.event("charge.succeeded", {"id": "ch_1", "object": "charge"}))

    failed = staff_client.get(EVENTS, {"status__exact": "failed"})
    assert failed.status_code == 200
    assert event.event_id in failed.content.decode()
    assert charge.event_id not in failed.content.decode()
    by_type = staff_client.get(EVENTS, {"type": "charge.succeeded"}).content.decode()
    assert event.event_id not in by_type and charge.event_id in by_type

    page = staff_client.get(f"{EVENTS}{event.pk}/change/").content.decode()
    assert "<pre>" in page and "&quot;customer.subscription.updated&quot;" in page
    assert 'name="_save"' not in page  # read-only
    assert staff_client.get(f"{EVENTS}add/").status_code == 403
    assert staff_client.post(f"{EVENTS}{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert WebhookEvent.objects.filter(pk=event.pk).exists()


def test_the_reprocess_action_runs_a_failed_event_again(staff_client, failed_upgrade):
    company, event = failed_upgrade

    response = staff_client.post(
        EVENTS, {"action": "reprocess", "_selected_action": [event.pk]}, follow=True
    )

    assert response.status_code == 200
    assert "1 events processed, 0 failed." in [str(m) for m in get_messages(response.wsgi_request)]
    event.refresh_from_db()
    assert (event.status, event.attempts, event.last_error) == (WebhookStatus.PROCESSED, 2, "")
    assert Company.objects.get(pk=company.pk).subscription_tier == "professional"


def test_reprocessing_leaves_events_already_done_as_they_are(staff_client, failed_upgrade):
    _, event = failed_upgrade
    done = stored(
        so.event("charge.succeeded", {"id": "ch_2", "object": "charge"}),
        status=WebhookStatus.IGNORED,
        attempts=1,
    )

    response = staff_client.post(
        EVENTS, {"action": "reprocess", "_selected_action": [event.pk, done.pk]}, follow=True
    )

    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "1 events processed, 0 failed. 1 already done were left as they are."
    ]
    done.refresh_from_db()
    assert (done.status, done.attempts) == (WebhookStatus.IGNORED, 1)


def test_staff_without_the_permission_cannot_reprocess(failed_upgrade):
    _, event = failed_upgrade
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_webhookevent"))
    client = signed_in(viewer)

    assert client.get(EVENTS).status_code == 200
    client.post(EVENTS, {"action": "reprocess", "_selected_action": [event.pk]})

    event.refresh_from_db()
    assert (event.status, event.attempts) == (WebhookStatus.FAILED, 1)


# --- card subscriptions from the companies admin ------------------------------------------------

COMPANIES = "/admin/companies/company/"


def act(client, action, *companies):
    response = client.post(
        COMPANIES,
        {"action": action, "_selected_action": [company.pk for company in companies]},
        follow=True,
    )
    assert response.status_code == 200
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_staff_cancel_a_card_subscription_now_with_the_reason_kept(stripe_server, staff_client):
    company = CompanyFactory(subscription_tier="professional")
    subscribed(company, stripe_server)

    said = act(staff_client, "cancel_card_subscription_now", company)

    assert said == ["Cancelled 1 card subscriptions now."]
    assert len(stripe_server.requests_to("DELETE", "/v1/subscriptions/sub_live")) == 1
    assert stripe_server.get("sub_live")["status"] == "canceled"
    company.refresh_from_db()
    assert company.cancellation_reason.startswith("Cancelled by our staff")


def test_staff_cancel_at_period_end(stripe_server, staff_client):
    company = CompanyFactory(subscription_tier="professional")
    subscribed(company, stripe_server)

    said = act(staff_client, "cancel_card_subscription_at_period_end", company)

    assert said == ["Cancelled 1 card subscriptions at the end of their paid period."]
    assert stripe_server.get("sub_live")["cancel_at_period_end"] is True


def test_cancelling_a_company_without_a_card_subscription_says_so(stripe_server, staff_client):
    company = CompanyFactory(name="Offline Payers Ltd")
    said = act(staff_client, "cancel_card_subscription_now", company)
    assert said == [
        "Offline Payers Ltd: The company has no card subscription.",
        "Cancelled 0 card subscriptions now.",
    ]
    assert stripe_server.requests_to("DELETE", "/v1/subscriptions/sub_live") == []


def test_moving_a_card_company_asks_stripe_and_an_offline_one_moves_at_once(
    stripe_server, staff_client
):
    card = CompanyFactory(subscription_tier="professional")
    subscribed(card, stripe_server)
    offline = CompanyFactory(subscription_tier="starter")

    said = act(staff_client, "move_to_enterprise", card, offline)

    assert said == [
        "Moved 1 companies to enterprise.",
        "Asked Stripe to move 1 card subscriptions to enterprise; "
        "they change here when Stripe confirms.",
    ]
    assert stripe_server.get("sub_live")["items"]["data"][0]["price"]["id"] == price_id(
        "enterprise"
    )
    assert Company.objects.get(pk=card.pk).subscription_tier == "professional"
    assert Company.objects.get(pk=offline.pk).subscription_tier == "enterprise"


def test_stripe_down_is_said_and_changes_nothing(stripe_server, staff_client):
    company = CompanyFactory(name="Card Payers Ltd", subscription_tier="professional")
    subscribed(company, stripe_server)
    stripe_server.down()

    said = act(staff_client, "move_to_enterprise", company)

    assert said[0].startswith("Card Payers Ltd: ")
    assert Company.objects.get(pk=company.pk).subscription_tier == "professional"
