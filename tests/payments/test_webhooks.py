"""Stripe's webhook: verified, stored once, processed exactly once, safe in any order."""

import json
import time
from io import StringIO

import pytest
import stripe
from django.core.management import call_command
from django.utils.dateparse import parse_datetime

from apps.companies.models import Company, SubscriptionChange, SubscriptionStatus
from apps.payments.models import WebhookEvent, WebhookStatus
from apps.payments.webhooks import handlers
from tests.companies.factories import CompanyFactory, MembershipFactory
from tests.conftest import client_for
from tests.payments import stripe_objects as so
from tests.payments.conftest import WEBHOOK_SECRET, post_delivery, price_id
from tests.payments.stripe_signing import event_body, sign

pytestmark = pytest.mark.django_db

HOUR = 3600


def subscription_event(
    kind,
    company,
    *,
    status="active",
    tier="professional",
    created=None,
    cancel_at_period_end=False,
    sub_id="sub_1",
):
    subscription = so.subscription(
        company.stripe_customer_id or "cus_1",
        price_id(tier),
        status=status,
        cancel_at_period_end=cancel_at_period_end,
        metadata={"company_id": str(company.pk)},
        id=sub_id,
    )
    return so.event(f"customer.subscription.{kind}", subscription, created=created)


@pytest.fixture
def card_company(db):
    return CompanyFactory(
        subscription_tier="starter", subscription_status="trialing", stripe_customer_id="cus_1"
    )


# --- intake ---------------------------------------------------------------------------------------


def test_a_valid_event_is_stored_once_and_processed(
    stripe_server, api_client, card_company, deliver
):
    event = subscription_event("updated", card_company)

    first = deliver(api_client, event)
    again = deliver(api_client, event)

    assert (first.status_code, again.status_code) == (200, 200)
    stored = WebhookEvent.objects.get()
    assert (stored.event_id, stored.type, stored.status, stored.attempts) == (
        event["id"],
        "customer.subscription.updated",
        WebhookStatus.PROCESSED,
        1,
    )
    card_company.refresh_from_db()
    assert (card_company.subscription_tier, card_company.subscription_status) == (
        "professional",
        "active",
    )


THIN_EVENT = {
    "id": "evt_test_65R7thin",
    "object": "v2.core.event",
    "type": "v1.billing.meter.error_report_triggered",
    "created": "2026-11-27T10:00:00.000Z",
    "related_object": {"id": "mtr_1", "type": "billing.meter", "url": "/v1/billing/meters/mtr_1"},
}
# Signed with the right secret, but not a snapshot event this endpoint can store.
SIGNED_NOT_EVENTS = {
    "not json": b"not json at all",
    "not utf-8": b'{"id": "evt_\xff"}',
    "a list": b"[1, 2, 3]",
    "no data": b'{"id": "evt_1", "object": "event", "type": "customer.updated", "created": 1}',
    "a thin event": event_body(THIN_EVENT),
    # What we could not store (PostgreSQL refuses them; SQLite would not notice).
    "an id too long": event_body({**THIN_EVENT, "object": "event", "id": "evt_" + "x" * 300}),
    "no type": b'{"id": "evt_1", "type": null, "created": 1, "data": {"object": {}}}',
    "a NUL": b'{"id": "evt_1", "type": "x", "created": 1, "data": {"object": {"a": "\\u0000"}}}',
    "an api version too long": (
        b'{"id": "evt_1", "type": "x", "api_version": "' + b"v" * 65 + b'", "created": 1, '
        b'"data": {"object": {}}}'
    ),
    "nested too deep": b'{"id": "evt_1", "data": {"object": {"a": '
    + b"[" * 100_000
    + b"]" * 100_000
    + b"}}}",
}


@pytest.mark.parametrize(
    "case",
    ["unsigned", "tampered", "wrong secret", "too old", "from the future", *SIGNED_NOT_EVENTS],
)
def test_bad_deliveries_are_400_and_store_nothing(stripe_server, api_client, card_company, case):
    event = subscription_event("updated", card_company)
    body = event_body(event)
    headers = {"HTTP_STRIPE_SIGNATURE": sign(body, WEBHOOK_SECRET)}
    if case == "unsigned":
        headers = {}
    elif case == "tampered":
        body = body.replace(b"professional", b"enterprise")
    elif case == "wrong secret":
        headers = {"HTTP_STRIPE_SIGNATURE": sign(body, "whsec_someone_else")}
    elif case == "too old":
        headers = {"HTTP_STRIPE_SIGNATURE": sign(body, WEBHOOK_SECRET, int(time.time()) - HOUR)}
    elif case == "from the future":
        headers = {"HTTP_STRIPE_SIGNATURE": sign(body, WEBHOOK_SECRET, int(time.time()) + HOUR)}
    elif case in SIGNED_NOT_EVENTS:
        body = SIGNED_NOT_EVENTS[case]
        headers = {"HTTP_STRIPE_SIGNATURE": sign(body, WEBHOOK_SECRET)}

    response = api_client.generic(
        "POST", "/api/webhooks/stripe/", body, content_type="application/json", **headers
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_signature"
    assert not WebhookEvent.objects.exists()
    assert Company.objects.get(pk=card_company.pk).subscription_tier == "starter"


def test_the_event_is_stored_as_sent_without_building_sdk_objects(
    stripe_server, api_client, card_company, deliver, monkeypatch
):
    # The SDK's object tree for a 5 KB event costs more than everything else in verifying
    # it, and intake has no use for it: the body is parsed once, as plain JSON.
    def refuse(*args, **kwargs):
        raise AssertionError("intake built an SDK object")

    monkeypatch.setattr(stripe.StripeObject, "_construct_from", classmethod(refuse))
    event = subscription_event("updated", card_company)

    assert deliver(api_client, event).status_code == 200
    stored = WebhookEvent.objects.get()
    assert stored.payload == json.loads(event_body(event))
    assert stored.status == WebhookStatus.PROCESSED


def test_secrets_are_rotated_by_listing_both(
    stripe_server, api_client, card_company, settings, deliver
):
    settings.STRIPE_WEBHOOK_SECRET = f"whsec_new_one,{WEBHOOK_SECRET}"
    assert deliver(api_client, subscription_event("updated", card_company)).status_code == 200
    assert (
        deliver(
            api_client, subscription_event("updated", card_company), secret="whsec_new_one"
        ).status_code
        == 200
    )


def test_without_stripe_configured_the_webhook_answers_503(
    api_client, settings, card_company, deliver
):
    settings.STRIPE_SECRET_KEY = ""
    response = deliver(api_client, subscription_event("updated", card_company))
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "payments_unavailable"
    assert "Retry-After" in response


def test_other_event_types_are_stored_as_ignored(stripe_server, api_client, deliver):
    event = so.event("customer.created", so.customer("cus_9"))
    assert deliver(api_client, event).status_code == 200
    assert WebhookEvent.objects.get().status == WebhookStatus.IGNORED


def test_the_webhook_is_not_throttled(stripe_server, api_client, card_company, settings, deliver):
    # A tier limit of 1 an hour would refuse the second request of a caller.
    responses = [deliver(api_client, subscription_event("updated", card_company)) for _ in range(5)]
    assert [response.status_code for response in responses] == [200] * 5


# --- order and failures ---------------------------------------------------------------------


def test_an_older_event_never_overwrites_newer_state(
    stripe_server, api_client, card_company, deliver
):
    now = int(time.time())
    newer = subscription_event("updated", card_company, tier="enterprise", created=now)
    older = subscription_event("created", card_company, tier="professional", created=now - 60)

    deliver(api_client, newer)
    deliver(api_client, older)

    card_company.refresh_from_db()
    assert card_company.subscription_tier == "enterprise"
    assert card_company.max_plots == 10000
    assert WebhookEvent.objects.filter(status=WebhookStatus.PROCESSED).count() == 2


def test_cancel_at_period_end_keeps_access_until_then(
    stripe_server, api_client, card_company, deliver
):
    deliver(api_client, subscription_event("updated", card_company, cancel_at_period_end=True))
    card_company.refresh_from_db()
    assert card_company.cancel_at_period_end is True
    assert card_company.subscription_ends_at == card_company.current_period_end
    assert card_company.is_subscription_active()

    admin = client_for(MembershipFactory(company=card_company, role="company_admin").user)
    shown = admin.get("/api/billing/subscription/").json()
    assert (shown["pays_by_card"], shown["cancel_at_period_end"]) == (True, True)
    assert parse_datetime(shown["current_period_end"]) == card_company.current_period_end


def test_a_deleted_subscription_suspends_the_company(
    stripe_server, api_client, card_company, deliver
):
    deliver(api_client, subscription_event("updated", card_company))
    deliver(
        api_client,
        subscription_event(
            "deleted", card_company, status="canceled", created=int(time.time()) + 1
        ),
    )
    card_company.refresh_from_db()
    assert card_company.subscription_status == SubscriptionStatus.SUSPENDED
    assert card_company.suspension_reason == "subscription_ended"


def test_a_handler_that_fails_halfway_leaves_nothing_and_can_be_run_again(
    stripe_server, api_client, card_company, monkeypatch, deliver
):
    real_apply = handlers.card_subscription_apply

    def apply_then_crash(**kwargs):
        real_apply(**kwargs)
        raise RuntimeError("worker lost its database connection")

    monkeypatch.setattr(handlers, "card_subscription_apply", apply_then_crash)
    history_before = SubscriptionChange.objects.count()

    response = deliver(api_client, subscription_event("updated", card_company))

    assert response.status_code == 200  # Stripe is answered whatever processing does
    event = WebhookEvent.objects.get()
    assert (event.status, event.attempts) == (WebhookStatus.FAILED, 1)
    assert "worker lost" in event.last_error
    card_company.refresh_from_db()
    assert (card_company.subscription_tier, card_company.subscription_status) == (
        "starter",
        "trialing",
    )
    assert SubscriptionChange.objects.count() == history_before

    monkeypatch.setattr(handlers, "card_subscription_apply", real_apply)
    call_command("reprocess_stripe_events", "--failed", stdout=StringIO())

    event.refresh_from_db()
    assert (event.status, event.attempts, event.last_error) == (WebhookStatus.PROCESSED, 2, "")
    card_company.refresh_from_db()
    assert card_company.subscription_tier == "professional"


def test_an_event_whose_task_never_ran_is_processed_by_the_sweep(
    stripe_server, api_client, card_company, time_machine
):
    from apps.payments.tasks import process_stalled_events

    time_machine.move_to("2026-11-27 10:00:00+01:00", tick=False)
    # Stored and answered 200, but the enqueue on commit never happens: the broker was
    # down, or the task was lost. Stripe will not send it again.
    response = post_delivery(api_client, subscription_event("updated", card_company))
    assert response.status_code == 200
    assert WebhookEvent.objects.get().status == WebhookStatus.RECEIVED

    time_machine.move_to("2026-11-27 10:05:00+01:00", tick=False)
    assert process_stalled_events() == {"processed": 0, "failed": 0}  # its task may be queued

    time_machine.move_to("2026-11-27 10:11:00+01:00", tick=False)
    assert process_stalled_events() == {"processed": 1, "failed": 0}
    event = WebhookEvent.objects.get()
    assert (event.status, event.attempts) == (WebhookStatus.PROCESSED, 1)
    card_company.refresh_from_db()
    assert card_company.subscription_tier == "professional"
    assert process_stalled_events() == {"processed": 0, "failed": 0}
