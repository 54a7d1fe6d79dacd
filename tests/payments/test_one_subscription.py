"""A company follows one card subscription, its current one, and only its own: events of
an old or a second subscription, or naming another company, change nothing they should
not; Stripe's refusals are 409s; a first payment not made leaves a trial alone."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.companies.models import Company, SubscriptionStatus
from apps.payments.models import Payment, PaymentStatus, WebhookEvent, WebhookStatus
from tests.companies.factories import MembershipFactory, TrialCompanyFactory
from tests.conftest import client_for
from tests.payments import stripe_objects as so
from tests.payments.stripe_server import price_id

pytestmark = pytest.mark.django_db

CHECKOUT = "/api/billing/checkout/"
CHANGE = "/api/billing/subscription/change/"
CANCEL = "/api/billing/subscription/cancel/"


def now() -> int:
    return int(timezone.now().timestamp())


@pytest.fixture
def trial():
    company = TrialCompanyFactory()
    admin = client_for(MembershipFactory(company=company, role="company_admin").user)
    return company, admin


def checkout(stripe_server, admin, tier="professional"):
    stripe_server.clear_requests()
    response = admin.post(CHECKOUT, {"tier": tier}, format="json")
    assert response.status_code == 201, response.content
    [session] = stripe_server.requests_to("POST", "/v1/checkout/sessions")
    return stripe_server.complete_checkout(session.response["id"])


def subscribed(stripe_server, deliver, admin, tier="professional", at=None):
    paid = checkout(stripe_server, admin, tier)
    deliver(APIClient(), so.event("checkout.session.completed", paid.session, created=at))
    return paid.subscription["id"]


def outcome(event):
    return WebhookEvent.objects.get(event_id=event["id"]).status


# --- one subscription ---------------------------------------------------------------------------


def test_checkout_is_refused_while_the_subscription_lives_even_unpaid(
    stripe_server, deliver, trial
):
    company, admin = trial
    first = subscribed(stripe_server, deliver, admin, at=now() - 100)
    unpaid = stripe_server.set_subscription_state(first, status="unpaid")
    deliver(APIClient(), so.event("customer.subscription.updated", unpaid, created=now() - 50))
    assert Company.objects.get(pk=company.pk).subscription_status == SubscriptionStatus.SUSPENDED
    stripe_server.clear_requests()

    response = admin.post(CHECKOUT, {"tier": "enterprise"}, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_subscribed"
    assert "portal" in response.json()["error"]["message"]
    assert stripe_server.requests_to("POST", "/v1/checkout/sessions") == []


def test_once_the_subscription_ended_at_stripe_the_company_subscribes_again(
    stripe_server, deliver, trial
):
    company, admin = trial
    first = subscribed(stripe_server, deliver, admin, at=now() - 100)
    # Ended at Stripe, its event not (yet) here: checkout finds out and goes on.
    stripe_server.client().v1.subscriptions.cancel(first)

    second = subscribed(stripe_server, deliver, admin, tier="enterprise", at=now() + 10)
    # The old subscription's deletion arrives last: it is not the company's any more.
    ended = so.event("customer.subscription.deleted", stripe_server.get(first), created=now() + 20)
    deliver(APIClient(), ended)

    company.refresh_from_db()
    assert (company.stripe_subscription_id, company.subscription_tier) == (second, "enterprise")
    assert company.subscription_status == SubscriptionStatus.ACTIVE
    assert outcome(ended) == WebhookStatus.PROCESSED


def test_a_second_live_subscription_is_reported_and_not_adopted(
    stripe_server, deliver, trial, caplog
):
    company, admin = trial
    # Two checkouts open at once (two tabs), both completed.
    first = checkout(stripe_server, admin, "starter")
    second = checkout(stripe_server, admin, "professional")
    deliver(APIClient(), so.event("checkout.session.completed", first.session, created=now()))
    deliver(APIClient(), so.event("checkout.session.completed", second.session, created=now() + 1))

    company.refresh_from_db()
    assert company.stripe_subscription_id == first.subscription["id"]
    assert company.subscription_tier == "starter"
    assert f"second live card subscription {second.subscription['id']}" in caplog.text


def test_the_current_subscription_ending_is_forgotten_so_cancel_and_change_say_so(
    stripe_server, deliver, trial
):
    company, admin = trial
    current = subscribed(stripe_server, deliver, admin)
    stripe_server.client().v1.subscriptions.cancel(current)
    deliver(
        APIClient(),
        so.event("customer.subscription.deleted", stripe_server.get(current), created=now() + 2),
    )

    company.refresh_from_db()
    assert company.subscription_status == SubscriptionStatus.SUSPENDED
    assert company.suspension_reason == "subscription_ended"
    assert (company.stripe_subscription_id, company.cancel_at_period_end) == ("", False)
    for path, body in ((CANCEL, {}), (CHANGE, {"tier": "starter"})):
        response = admin.post(path, body, format="json")
        assert response.status_code == 409, path
        assert response.json()["error"]["code"] == "no_card_subscription"


def test_stripe_refusing_is_a_409_with_its_reason_not_a_503(stripe_server, deliver, trial):
    _, admin = trial
    current = subscribed(stripe_server, deliver, admin)
    stripe_server.client().v1.subscriptions.cancel(current)  # its event never came

    response = admin.post(CHANGE, {"tier": "starter"}, format="json")

    assert response.status_code == 409
    body = response.json()["error"]
    assert body["code"] == "gateway_refused"
    assert body["details"]["gateway"]


def test_changing_back_to_a_plan_held_earlier_reaches_stripe(stripe_server, deliver, trial):
    _, admin = trial
    current = subscribed(stripe_server, deliver, admin, tier="starter")
    for tier in ("professional", "starter", "professional"):
        response = admin.post(CHANGE, {"tier": tier}, format="json")
        assert response.status_code == 202
        assert stripe_server.get(current)["items"]["data"][0]["price"]["id"] == price_id(tier)


def test_at_the_same_second_the_end_outranks_news_of_it_live(stripe_server, deliver, trial):
    company, admin = trial
    current = subscribed(stripe_server, deliver, admin, at=now() - 10)
    live = stripe_server.get(current)
    stripe_server.client().v1.subscriptions.cancel(current)
    second = now()
    deliver(
        APIClient(),
        so.event("customer.subscription.deleted", stripe_server.get(current), created=second),
    )
    deliver(APIClient(), so.event("customer.subscription.updated", live, created=second))

    assert Company.objects.get(pk=company.pk).subscription_status == SubscriptionStatus.SUSPENDED


def test_a_first_payment_not_made_leaves_the_trial_alone(stripe_server, deliver, trial):
    company, admin = trial
    incomplete = so.subscription(
        "cus_trial",
        price_id("professional"),
        status="incomplete",
        metadata={"company_id": str(company.pk)},
    )
    deliver(APIClient(), so.event("customer.subscription.created", incomplete, created=now()))
    company.refresh_from_db()
    assert (company.subscription_tier, company.subscription_status) == ("starter", "trialing")

    incomplete["status"] = "incomplete_expired"
    deliver(APIClient(), so.event("customer.subscription.updated", incomplete, created=now() + 1))

    company.refresh_from_db()
    assert (company.subscription_tier, company.subscription_status) == ("starter", "trialing")
    assert company.stripe_subscription_id == ""
    assert admin.get("/api/estates/").status_code == 200


def test_cancelling_again_without_a_reason_keeps_the_first(stripe_server, deliver, trial):
    company, admin = trial
    subscribed(stripe_server, deliver, admin)
    admin.post(CANCEL, {"reason": "Too expensive for us"}, format="json")
    admin.post(CANCEL, {}, format="json")
    assert Company.objects.get(pk=company.pk).cancellation_reason == "Too expensive for us"


# --- whose is it ---------------------------------------------------------------------------------


def test_the_customer_decides_whose_subscription_it_is_not_its_metadata(
    stripe_server, deliver, trial
):
    company_a, admin_a = trial
    company_b = TrialCompanyFactory(stripe_customer_id="cus_b_own")
    admin_b = client_for(MembershipFactory(company=company_b, role="company_admin").user)
    current = subscribed(stripe_server, deliver, admin_a)
    renamed = stripe_server.set_subscription_state(
        current, metadata={"company_id": str(company_b.pk)}
    )

    deliver(APIClient(), so.event("customer.subscription.updated", renamed, created=now() + 5))

    company_b.refresh_from_db()
    assert (company_b.subscription_status, company_b.stripe_subscription_id) == ("trialing", "")
    assert Company.objects.get(pk=company_a.pk).stripe_subscription_id == current
    assert admin_b.post(CANCEL, {"reason": "x"}, format="json").status_code == 409
    assert stripe_server.get(current)["cancel_at_period_end"] is False


def test_metadata_naming_a_company_with_no_customer_yet_is_believed(stripe_server, deliver):
    company = TrialCompanyFactory()
    subscription = so.subscription(
        "cus_new", price_id("professional"), metadata={"company_id": str(company.pk)}
    )
    deliver(APIClient(), so.event("customer.subscription.created", subscription))
    company.refresh_from_db()
    assert (company.stripe_customer_id, company.subscription_tier) == ("cus_new", "professional")


@pytest.mark.parametrize("named", ["99999999", "1" * 30, "-4", "abc"])
def test_an_event_naming_no_company_we_know_is_processed_as_nothing(stripe_server, deliver, named):
    subscription = so.subscription(
        "cus_nobody", price_id("professional"), metadata={"company_id": named}
    )
    event = so.event("customer.subscription.updated", subscription)
    assert deliver(APIClient(), event).status_code == 200
    assert outcome(event) == WebhookStatus.PROCESSED


# --- payments and cards -------------------------------------------------------------------------


def test_a_failure_reported_after_the_retry_paid_leaves_the_company_active(
    stripe_server, deliver, trial
):
    company, admin = trial
    paid = checkout(stripe_server, admin)
    stripe = APIClient()
    deliver(stripe, so.event("checkout.session.completed", paid.session))
    draft = stripe_server.create_invoice(paid.subscription["id"])
    stripe_server.finalize_invoice(draft["id"])
    failed = stripe_server.fail_invoice_payment(draft["id"])
    retried = stripe_server.pay_invoice(draft["id"])
    deliver(stripe, so.event("invoice.paid", retried.invoice, created=now()))
    deliver(
        stripe,
        so.event("payment_intent.payment_failed", failed.payment_intent, created=now() - 60),
    )

    assert Company.objects.get(pk=company.pk).subscription_status == SubscriptionStatus.ACTIVE
    assert Payment.objects.filter(company=company, status=PaymentStatus.FAILED).count() == 1


def test_a_renewal_finalized_before_its_overage_was_added_is_said_not_retried(
    stripe_server, deliver, trial, caplog
):
    _, admin = trial
    paid = checkout(stripe_server, admin, "starter")
    stripe = APIClient()
    deliver(stripe, so.event("checkout.session.completed", paid.session))
    draft = stripe_server.create_invoice(paid.subscription["id"])
    created = so.event("invoice.created", draft)
    stripe_server.finalize_invoice(draft["id"])  # an hour passed; the worker was behind

    deliver(stripe, created)

    assert outcome(created) == WebhookStatus.PROCESSED
    assert "was finalized before its overage and credits were added" in caplog.text
    assert stripe_server.requests_to("POST", "/v1/invoiceitems") == []


def test_a_removed_card_is_no_longer_shown(stripe_server, deliver, trial):
    company, admin = trial
    Company.objects.filter(pk=company.pk).update(stripe_customer_id="cus_card")
    card = so.payment_method("visa", "4242", 4, 2031, customer="cus_card", id="pm_gone")
    deliver(APIClient(), so.event("payment_method.attached", card))
    assert admin.get("/api/billing/subscription/").json()["default_card"]["last4"] == "4242"

    deliver(APIClient(), so.event("payment_method.detached", {**card, "customer": None}))

    assert admin.get("/api/billing/subscription/").json()["default_card"] is None


# --- the schema -----------------------------------------------------------------------------------


def test_the_card_endpoints_are_documented_for_signed_in_people_only(admin_client):
    schema = admin_client.get("/api/schema/?format=json").json()
    for path in (CHECKOUT, CHANGE, CANCEL, "/api/billing/portal/"):
        assert schema["paths"][path]["post"]["security"] == [{"jwtAuth": []}], path
