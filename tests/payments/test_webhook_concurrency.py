"""Ten deliveries of one event at the same moment: stored once, processed once (PostgreSQL)."""

import pytest
from rest_framework.test import APIClient

from apps.companies.models import SubscriptionChange
from apps.payments.models import WebhookEvent, WebhookStatus
from apps.payments.webhooks import webhook_process
from tests.companies.factories import CompanyFactory
from tests.concurrency import run_together
from tests.payments import stripe_objects as so
from tests.payments.conftest import post_delivery, price_id

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("plan_catalogue"),
]


def test_ten_concurrent_deliveries_of_one_event_are_processed_exactly_once(stripe_server):
    company = CompanyFactory(
        subscription_tier="starter", subscription_status="trialing", stripe_customer_id="cus_1"
    )
    subscription = so.subscription(
        "cus_1", price_id("enterprise"), metadata={"company_id": str(company.pk)}, id="sub_1"
    )
    event = so.event("customer.subscription.updated", subscription)

    outcomes = run_together(*[lambda: post_delivery(APIClient(), event).status_code] * 10)

    assert [outcome.value for outcome in outcomes] == [200] * 10
    stored = WebhookEvent.objects.get()
    assert (stored.status, stored.attempts) == (WebhookStatus.PROCESSED, 1)
    # One change of tier and status recorded, not ten.
    assert SubscriptionChange.objects.filter(company=company, tier="enterprise").count() == 1


def test_concurrent_reprocessing_runs_the_handler_once(stripe_server):
    company = CompanyFactory(stripe_customer_id="cus_2")
    subscription = so.subscription(
        "cus_2", price_id("enterprise"), metadata={"company_id": str(company.pk)}, id="sub_2"
    )
    event = so.event("customer.subscription.updated", subscription)
    stored = WebhookEvent.objects.create(
        event_id=event["id"],
        type=event["type"],
        created="2026-11-27T12:00:00Z",
        payload=event,
    )

    outcomes = run_together(*[lambda: webhook_process(event_pk=stored.pk)] * 6)

    assert all(outcome.ok for outcome in outcomes), outcomes
    stored.refresh_from_db()
    assert (stored.status, stored.attempts) == (WebhookStatus.PROCESSED, 1)
