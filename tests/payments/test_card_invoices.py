"""Card invoices are Stripe's, mirrored by billing: nobody issues, voids or records an
offline payment on one here; what Stripe does to them (a negative proration, a payment
from the customer's balance, a void) is mirrored without breaking billing's rules; and
only renewals are checked against the calculator."""

from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.billing.models import Credit, Invoice, InvoiceStatus
from apps.billing.services import credit_create, invoice_issue, invoice_void
from apps.core.errors import ConflictError
from apps.payments.models import Payment, WebhookEvent, WebhookStatus
from apps.payments.services import payment_record_offline
from tests.companies.factories import MembershipFactory, TrialCompanyFactory
from tests.conftest import client_for
from tests.payments import stripe_objects as so

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscribed(stripe_server, deliver):
    """A company that subscribed to Professional by card: its checkout completed."""
    company = TrialCompanyFactory()
    admin = client_for(MembershipFactory(company=company, role="company_admin").user)
    response = admin.post("/api/billing/checkout/", {"tier": "professional"}, format="json")
    assert response.status_code == 201, response.content
    [session] = stripe_server.requests_to("POST", "/v1/checkout/sessions")
    outcome = stripe_server.complete_checkout(session.response["id"])
    deliver(APIClient(), so.event("checkout.session.completed", outcome.session))
    company.refresh_from_db()
    return company, outcome.subscription


def mirrored(deliver, type, stripe_invoice):
    event = so.event(type, stripe_invoice)
    deliver(APIClient(), event)
    assert WebhookEvent.objects.get(event_id=event["id"]).status == WebhookStatus.PROCESSED
    return Invoice.objects.get(external_id=stripe_invoice["id"])


def snapshot(invoice):
    invoice.refresh_from_db()
    return (invoice.status, invoice.number, invoice.amount_paid, invoice.void_reason)


def test_billing_refuses_to_issue_void_or_take_offline_payments_on_a_card_invoice(
    stripe_server, deliver, subscribed, events, commit
):
    company, subscription = subscribed
    draft_mirror = mirrored(
        deliver, "invoice.created", stripe_server.create_invoice(subscription["id"])
    )
    renewal = stripe_server.create_invoice(subscription["id"])
    open_mirror = mirrored(
        deliver, "invoice.finalized", stripe_server.finalize_invoice(renewal["id"])
    )
    assert (draft_mirror.status, open_mirror.status) == (InvoiceStatus.DRAFT, InvoiceStatus.ISSUED)
    before = {invoice.pk: snapshot(invoice) for invoice in (draft_mirror, open_mirror)}
    sent_before = len(events.sent)

    refusals = [
        lambda: invoice_issue(invoice_id=draft_mirror.pk),
        lambda: invoice_void(invoice_id=open_mirror.pk, reason="By hand", voided_by_id=None),
        lambda: payment_record_offline(
            company_id=company.pk,
            invoice_id=open_mirror.pk,
            amount=Decimal("1000.00"),
            method="bank_transfer",
            reference="GTB-ON-A-CARD-INVOICE",
        ),
    ]
    with commit():
        for attempt in refusals:
            with pytest.raises(ConflictError) as refused:
                attempt()
            assert refused.value.code == "card_invoice"

    assert {invoice.pk: snapshot(invoice) for invoice in (draft_mirror, open_mirror)} == before
    assert draft_mirror.number is None  # no number of ours taken
    assert not Payment.objects.filter(reference="GTB-ON-A-CARD-INVOICE").exists()
    assert events.sent[sent_before:] == []


def test_a_voided_renewal_gives_back_the_credits_it_used(
    stripe_server, deliver, subscribed, events
):
    company, subscription = subscribed
    credit = credit_create(
        company_id=company.pk, amount=Decimal("5000.00"), reason="Goodwill", created_by_id=None
    )
    draft = stripe_server.create_invoice(subscription["id"])
    mirrored(deliver, "invoice.created", draft)
    credit.refresh_from_db()
    assert credit.remaining == Decimal("0.00")  # set aside for the renewal

    voided = mirrored(deliver, "invoice.voided", stripe_server.void_invoice(draft["id"]))
    # Another event says so again: the credit is given back once.
    mirrored(deliver, "invoice.voided", stripe_server.void_invoice(draft["id"]))

    credit.refresh_from_db()
    assert credit.remaining == Decimal("5000.00")
    assert voided.status == InvoiceStatus.VOID
    assert [event["invoice_id"] for event in events.named("invoice_voided")] == [voided.pk]


def test_a_downgrades_negative_proration_is_mirrored_as_nothing_owed(deliver, subscribed):
    company, subscription = subscribed
    # Professional to Starter halfway through: ₦37,500 back, less ₦12,500 for Starter,
    # with VAT on both; Stripe keeps the ₦26,875.00 in the customer's balance.
    lines = [
        so.invoice_line(-3_750_000, "Unused time on Professional", proration=True),
        so.invoice_line(1_250_000, "Remaining time on Starter", proration=True),
    ]
    proration = so.invoice(
        company.stripe_customer_id,
        subscription["id"],
        status="paid",
        billing_reason="subscription_update",
        lines=lines,
        total=-2_687_500,
        subtotal=-2_500_000,
        amount_paid=0,
    )

    invoice = mirrored(deliver, "invoice.paid", proration)

    assert (invoice.subtotal, invoice.tax, invoice.total) == (Decimal("0.00"),) * 3
    assert (invoice.status, invoice.amount_paid, invoice.balance) == (
        InvoiceStatus.PAID,
        Decimal("0.00"),
        Decimal("0.00"),
    )
    assert [line.amount for line in invoice.lines.order_by("position")] == [
        Decimal("-37500.00"),
        Decimal("12500.00"),
    ]
    assert invoice.reconciliation_difference is None  # not a renewal: nothing to compare
    assert not Credit.objects.filter(company=company).exists()  # Stripe keeps that balance


def test_a_renewal_paid_from_the_customers_balance_owes_nothing(stripe_server, deliver, subscribed):
    _, subscription = subscribed
    renewal = stripe_server.finalize_invoice(stripe_server.create_invoice(subscription["id"])["id"])
    # The balance a downgrade left paid it all: Stripe charged nothing.
    paid = {**renewal, "status": "paid", "amount_due": 0, "amount_paid": 0, "amount_remaining": 0}
    paid["status_transitions"] = {
        **renewal["status_transitions"],
        "paid_at": int(timezone.now().timestamp()),
    }

    invoice = mirrored(deliver, "invoice.paid", paid)

    assert invoice.status == InvoiceStatus.PAID
    assert invoice.total == Decimal(renewal["total"]) / 100
    assert (invoice.amount_paid, invoice.balance) == (invoice.total, Decimal("0.00"))
    assert not Payment.objects.filter(invoice=invoice).exists()  # no card was charged


def test_only_renewals_are_checked_against_the_calculator(stripe_server, deliver, subscribed):
    company, subscription = subscribed
    # Both carry a ₦1,000.00 item nobody here added: a renewal must not.
    lines = [so.subscription_line(subscription), so.invoice_line(100_000, "Setup fee")]

    def invoice(reason):
        return so.invoice(
            company.stripe_customer_id,
            subscription["id"],
            status="open",
            billing_reason=reason,
            lines=lines,
        )

    renewal = mirrored(deliver, "invoice.finalized", invoice("subscription_cycle"))
    change = mirrored(deliver, "invoice.finalized", invoice("subscription_update"))

    assert renewal.reconciliation_difference == Decimal("1000.00")
    assert change.reconciliation_difference is None
