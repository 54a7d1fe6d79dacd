"""The Stripe test objects have the pinned API version's shapes, as the SDK types them."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import stripe
from stripe._invoice import Invoice
from stripe._payment_intent import PaymentIntent
from stripe._subscription import Subscription
from stripe._subscription_item import SubscriptionItem

from tests.payments import stripe_objects as so
from tests.payments.stripe_shapes import sdk_fields, shape_problems

HERE = Path(__file__).parent


def a_paid_renewal() -> dict:
    vat = so.tax_rate(7.5)
    customer = so.customer(email="billing@adewale-estates.ng")
    sub = so.subscription(
        customer["id"], "price_pro", unit_amount=5_000_000, default_tax_rates=[vat]
    )
    overage = so.invoice_item(customer["id"], 90_000, "Extra plots", tax_rates=[vat])
    lines = [
        so.subscription_line(sub),
        so.invoice_line(90_000, "Extra plots", invoice_item_id=overage["id"], tax_rates=[vat]),
    ]
    return so.invoice(customer["id"], sub["id"], "paid", "subscription_cycle", lines)


def every_builder() -> dict[str, dict]:
    customer = so.customer(email="a@example.com", name="Adewale Estates")
    sub = so.subscription(customer["id"], "price_starter")
    invoice = a_paid_renewal()
    intent = so.payment_intent(invoice["total"], customer["id"])
    return {
        "customer": customer,
        "price": so.price("price_starter", unit_amount=1_500_000),
        "tax_rate": so.tax_rate(7.5),
        "payment_method": so.payment_method("mastercard", "5555", 3, 2031, customer=customer["id"]),
        "subscription": sub,
        "canceled subscription": so.subscription(customer["id"], "price_x", status="canceled"),
        "subscription_item": sub["items"]["data"][0],
        "invoice": invoice,
        "draft invoice": so.invoice(customer["id"], sub["id"], lines=[so.subscription_line(sub)]),
        "one-off invoice": so.invoice(customer["id"], None, "open", "manual"),
        "invoice line": invoice["lines"]["data"][1],
        "invoice_item": so.invoice_item(customer["id"], -250_000, "Credit", invoice=invoice["id"]),
        "invoice_payment": so.invoice_payment(invoice["id"], intent["id"], invoice["total"]),
        "payment_intent": intent,
        "failed payment_intent": so.payment_intent(
            1000, customer["id"], "requires_payment_method", last_payment_error=so.card_error()
        ),
        "checkout_session": so.checkout_session("42", customer["id"], metadata={"tier": "pro"}),
        "completed checkout_session": so.checkout_session(
            "42", customer["id"], sub["id"], status="complete", customer_email="a@example.com"
        ),
        "portal_session": so.portal_session(
            customer=customer["id"], return_url="https://app.example.com"
        ),
        "event": so.event("invoice.paid", invoice),
        "updated event": so.event(
            "customer.subscription.updated", sub, previous_attributes={"status": "past_due"}
        ),
    }


@pytest.mark.parametrize("name", sorted(every_builder()))
def test_every_builder_answers_in_the_sdks_shapes(name):
    obj = every_builder()[name]

    assert shape_problems(obj) == []
    assert obj.get("livemode", False) is False


def test_the_shape_check_sees_what_the_sdk_would_not_expect():
    invoice = a_paid_renewal()
    invoice["subscription"] = "sub_123"  # where older API versions kept it
    invoice["total"] = 5_375_000.0
    invoice["lines"]["data"][0]["period"]["end"] = None
    del invoice["status_transitions"]

    assert sorted(shape_problems(invoice)) == [
        "invoice.lines.data[0].period.end: null, but the SDK says it is never null",
        "invoice.status_transitions: required by Invoice, missing",
        "invoice.subscription: Invoice has no such field",
        "invoice.total: 5375000.0 is a float, the SDK expects int",
    ]


def test_the_pinned_version_keeps_links_where_the_builders_put_them():
    # If an SDK upgrade moves these, this fails before any handler parses the old place.
    assert so.API_VERSION == stripe.api_version == "2026-10-28.endive"
    assert {"current_period_start", "current_period_end"} <= set(sdk_fields(SubscriptionItem))
    assert "current_period_end" not in sdk_fields(Subscription)
    assert {"subscription", "payment_intent", "charge", "tax"}.isdisjoint(sdk_fields(Invoice))
    assert {"parent", "payments", "total_taxes"} <= set(sdk_fields(Invoice))
    assert "invoice" not in sdk_fields(PaymentIntent)


def test_stripe_object_refuses_a_field_the_pinned_version_does_not_have():
    with pytest.raises(ValueError, match=r"invoice has no field \['subscription'\]"):
        so.stripe_object("invoice", subscription="sub_123")

    assert "subscription" not in so.stripe_object("invoice")


def test_the_sdk_reads_a_subscriptions_period_from_its_items():
    start = datetime(2026, 1, 31, 9, tzinfo=UTC)
    sub = so.subscription("cus_1", "price_pro", period_start=start, cancel_at_period_end=True)

    parsed = Subscription.construct_from(sub, "sk_test_x")

    item = parsed["items"]["data"][0]  # `parsed.items` is dict.items
    assert item.current_period_start == int(start.timestamp())
    assert item.current_period_end == int(datetime(2026, 2, 28, 9, tzinfo=UTC).timestamp())
    assert item.price.id == item.plan.id == "price_pro"
    assert parsed.cancel_at == item.current_period_end
    assert parsed.canceled_at is not None
    assert so.current_period(sub) == (item.current_period_start, item.current_period_end)


def test_an_invoice_adds_up_in_kobo_with_vat_rounded_per_line():
    vat = so.tax_rate(7.5)
    lines = [
        so.invoice_line(5_000_000, "Professional", tax_rates=[vat]),
        so.invoice_line(10_001, "Extra API calls", tax_rates=[vat]),  # 750.075 -> 750
        so.invoice_line(10_007, "Extra plots", tax_rates=[vat]),  # 750.525 -> 751
        so.invoice_line(-20_000, "Credit", tax_rates=[vat]),
    ]

    invoice = so.invoice("cus_1", "sub_1", "open", lines=lines)

    assert [line["taxes"][0]["amount"] for line in lines] == [375_000, 750, 751, -1500]
    assert invoice["subtotal"] == 5_000_008
    assert invoice["total_taxes"] == [
        {
            "amount": 375_001,
            "tax_behavior": "exclusive",
            "tax_rate_details": {"tax_rate": vat["id"]},
            "taxability_reason": "standard_rated",
            "taxable_amount": 5_000_008,
            "type": "tax_rate_details",
        }
    ]
    assert invoice["total"] == invoice["amount_due"] == invoice["amount_remaining"] == 5_375_009
    assert invoice["currency"] == "ngn"
    assert invoice["parent"]["subscription_details"]["subscription"] == "sub_1"
    assert invoice["number"] and invoice["status_transitions"]["finalized_at"]


def test_the_sdk_reads_an_invoices_subscription_and_lines():
    invoice = a_paid_renewal()

    parsed = Invoice.construct_from(invoice, "sk_test_x")

    assert parsed.parent.type == "subscription_details"
    assert parsed.parent.subscription_details.subscription.startswith("sub_")
    subscription_line, item_line = parsed.lines.data
    assert subscription_line.parent.subscription_item_details.subscription_item.startswith("si_")
    assert item_line.parent.invoice_item_details.invoice_item.startswith("ii_")
    assert subscription_line.pricing.price_details.price == "price_pro"
    assert parsed.amount_paid == parsed.total == 5_000_000 + 90_000 + 381_750
    assert parsed.total_taxes[0].tax_rate_details.tax_rate.startswith("txr_")


def test_an_event_is_a_snapshot_in_the_pinned_version():
    sub = so.subscription("cus_1", "price_pro")

    created = so.event("customer.subscription.created", sub, created=1_800_000_000)
    updated = so.event(
        "customer.subscription.updated", sub, previous_attributes={"cancel_at_period_end": False}
    )
    sub["status"] = "canceled"

    assert created["api_version"] == so.API_VERSION
    assert created["created"] == 1_800_000_000
    assert created["id"].startswith("evt_") and created["id"] != updated["id"]
    assert created["data"] == {"object": {**sub, "status": "active"}}
    assert updated["data"]["previous_attributes"] == {"cancel_at_period_end": False}
    assert created["request"] == {"id": None, "idempotency_key": None}


def test_the_examples_travel_with_their_licence():
    fixtures = json.loads((HERE / "stripe_fixtures.json").read_text())

    assert fixtures["source"].startswith("stripe/openapi")
    assert "MIT" in (HERE / "LICENSE-stripe-openapi").read_text()


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (datetime(2026, 1, 31, tzinfo=UTC), 1, datetime(2026, 2, 28, tzinfo=UTC)),
        (datetime(2028, 1, 31, tzinfo=UTC), 1, datetime(2028, 2, 29, tzinfo=UTC)),
        (datetime(2026, 12, 15, 8, 30, tzinfo=UTC), 1, datetime(2027, 1, 15, 8, 30, tzinfo=UTC)),
        (datetime(2026, 3, 31, tzinfo=UTC), 12, datetime(2027, 3, 31, tzinfo=UTC)),
    ],
)
def test_periods_are_calendar_months(start, months, expected):
    assert so.add_months(int(start.timestamp()), months) == int(expected.timestamp())
