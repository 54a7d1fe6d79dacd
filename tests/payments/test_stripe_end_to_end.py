"""A company subscribing by card, through the running app and the Stripe stand-in: the
checkout it starts, Stripe's events arriving out of order and twice, a renewal with
overage added to Stripe's invoice, and a declined card."""

from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.billing.models import Invoice, InvoiceStatus
from apps.companies.models import Company, SubscriptionStatus
from apps.payments.models import (
    Payment,
    PaymentMethod,
    PaymentStatus,
    WebhookEvent,
    WebhookStatus,
)
from apps.usage.models import UsageRecord
from tests.companies.factories import MembershipFactory, TrialCompanyFactory
from tests.conftest import client_for
from tests.estates.factories import PlotFactory
from tests.payments import stripe_objects as so

pytestmark = pytest.mark.django_db


@pytest.fixture
def trial_company():
    company = TrialCompanyFactory(billing_email="accounts@ikoyi.ng")
    admin = client_for(MembershipFactory(company=company, role="company_admin").user)
    return company, admin


def checkout(stripe_server, admin, tier="professional"):
    response = admin.post("/api/billing/checkout/", {"tier": tier}, format="json")
    assert response.status_code == 201, response.content
    [session] = stripe_server.requests_to("POST", "/v1/checkout/sessions")
    return stripe_server.complete_checkout(session.response["id"])


def test_checkout_then_events_out_of_order_and_twice_end_in_one_paid_invoice(
    stripe_server, trial_company, deliver
):
    company, admin = trial_company
    outcome = checkout(stripe_server, admin)
    now = int(timezone.now().timestamp())
    completed = so.event("checkout.session.completed", outcome.session, created=now)
    created = so.event("customer.subscription.created", outcome.subscription, created=now)
    paid = so.event("invoice.paid", outcome.invoice, created=now + 1)
    stripe = APIClient()

    # The paid invoice first, then the subscription, then the checkout; each twice.
    for event in (paid, created, completed, paid, completed, created):
        assert deliver(stripe, event).status_code == 200

    company.refresh_from_db()
    assert (company.subscription_tier, company.subscription_status) == ("professional", "active")
    assert (company.max_plots, company.max_agents) == (1000, 25)
    assert company.stripe_subscription_id == outcome.subscription["id"]
    assert company.is_subscription_active()
    invoice = Invoice.objects.get(company=company)
    assert (invoice.source, invoice.status, invoice.external_id) == (
        "stripe",
        InvoiceStatus.PAID,
        outcome.invoice["id"],
    )
    assert invoice.total == Decimal(outcome.invoice["total"]) / 100
    payment = Payment.objects.get(company=company)
    assert (payment.method, payment.reference, payment.status) == (
        "stripe",
        outcome.payment_intent["id"],
        PaymentStatus.SUCCEEDED,
    )
    assert payment.amount == invoice.total
    assert WebhookEvent.objects.count() == 3
    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {WebhookStatus.PROCESSED}
    # The company sees it like any other invoice.
    listed = admin.get("/api/billing/invoices/").json()["results"]
    assert [row["id"] for row in listed] == [invoice.pk]


def test_a_renewal_gets_the_periods_overage_and_matches_the_calculator(
    stripe_server, trial_company, deliver, settings
):
    company, admin = trial_company
    outcome = checkout(stripe_server, admin, tier="starter")
    stripe = APIClient()
    deliver(stripe, so.event("checkout.session.completed", outcome.session))
    company.refresh_from_db()
    # During the first period: 103 plots (3 beyond Starter's 100) and 12,500 API calls
    # (2,500 beyond the 10,000 included: 3 blocks).
    PlotFactory.create_batch(103, estate__company=company)
    # (The stand-in's first period starts now: the calls are today's.)
    UsageRecord.objects.create(company=company, day=timezone.localdate(), api_calls=12_500)

    draft = stripe_server.create_invoice(outcome.subscription["id"])
    deliver(stripe, so.event("invoice.created", draft))

    items = stripe_server.requests_to("POST", "/v1/invoiceitems")
    assert sorted((item.params["description"][:20], item.params["amount"]) for item in items) == [
        ("API calls beyond the", "30000"),
        ("Plots beyond the 100", "90000"),
    ]
    assert {item.idempotency_key for item in items} == {
        f"{draft['id']}-overage_plots",
        f"{draft['id']}-overage_api_calls",
    }
    # The same event delivered again is not processed again; another event about the
    # same draft adds nothing either: its items' idempotency keys make Stripe replay.
    deliver(stripe, so.event("invoice.created", draft))
    items = stripe_server.requests_to("POST", "/v1/invoiceitems")
    assert [item.replayed for item in items] == [False, False, True, True]

    finalized = stripe_server.finalize_invoice(draft["id"])
    deliver(stripe, so.event("invoice.finalized", finalized))
    paid = stripe_server.pay_invoice(draft["id"])
    deliver(stripe, so.event("invoice.paid", paid.invoice))
    deliver(stripe, so.event("payment_intent.succeeded", paid.payment_intent))

    invoice = Invoice.objects.get(external_id=draft["id"])
    # Starter ₦25,000 + overage ₦1,200 = ₦26,200; VAT ₦1,965.00; ₦28,165.00
    assert invoice.total == Decimal("28165.00")
    assert invoice.total == Decimal(paid.invoice["total"]) / 100
    assert invoice.reconciliation_difference is None
    assert invoice.status == InvoiceStatus.PAID
    assert Payment.objects.filter(company=company, reference=paid.payment_intent["id"]).count() == 1


def test_a_declined_renewal_records_the_failure_and_puts_the_company_past_due(
    stripe_server, trial_company, deliver, events
):
    company, admin = trial_company
    outcome = checkout(stripe_server, admin)
    stripe = APIClient()
    deliver(stripe, so.event("checkout.session.completed", outcome.session))
    draft = stripe_server.create_invoice(outcome.subscription["id"])
    stripe_server.finalize_invoice(draft["id"])
    failed = stripe_server.fail_invoice_payment(draft["id"])

    deliver(stripe, so.event("payment_intent.payment_failed", failed.payment_intent))

    company.refresh_from_db()
    assert company.subscription_status == SubscriptionStatus.PAST_DUE
    attempt = Payment.objects.get(company=company, status=PaymentStatus.FAILED)
    assert attempt.failure_reason
    [failure] = events.named("payment_failed")
    assert (failure["company_id"], failure["payment_id"]) == (company.pk, attempt.pk)


def test_a_card_saved_at_stripe_shows_in_the_subscription(stripe_server, trial_company, deliver):
    company, admin = trial_company
    assert admin.get("/api/billing/subscription/").json()["default_card"] is None
    Company.objects.filter(pk=company.pk).update(stripe_customer_id="cus_card")
    stripe = APIClient()
    for pm_id, brand, last4 in (("pm_1", "mastercard", "4444"), ("pm_2", "visa", "4242")):
        method = so.payment_method(brand, last4, 4, 2031, customer="cus_card", id=pm_id)
        deliver(stripe, so.event("payment_method.attached", method))
    # The customer's default is the first card, not the one attached last.
    deliver(
        stripe,
        so.event("customer.updated", so.customer("cus_card", default_payment_method="pm_1")),
    )

    card = PaymentMethod.objects.get(company=company, is_default=True)
    assert (card.gateway_id, card.brand, card.last4) == ("pm_1", "mastercard", "4444")
    assert admin.get("/api/billing/subscription/").json()["default_card"] == {
        "brand": "mastercard",
        "last4": "4444",
        "exp_month": 4,
        "exp_year": 2031,
    }
