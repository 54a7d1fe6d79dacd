"""Deliveries signed by stripe_signing pass the SDK's verification, and only untouched ones."""

import json
import time

import pytest
import stripe

from tests.payments import stripe_objects as so
from tests.payments.stripe_signing import event_body, sign, signed_delivery

SECRET = "whsec_test_stand_in"


def an_event() -> dict:
    sub = so.subscription("cus_1", "price_pro")
    invoice = so.invoice("cus_1", sub["id"], "paid", lines=[so.subscription_line(sub)])
    return so.event("invoice.paid", invoice)


def test_the_header_is_the_one_the_sdk_computes():
    body = event_body(an_event())

    header = sign(body, SECRET, timestamp=1_800_000_000)

    expected = stripe.WebhookSignature.generate_signature_header(
        body.decode(), SECRET, timestamp=1_800_000_000
    )
    assert header == expected
    assert header.startswith("t=1800000000,v1=")


def test_the_sdk_accepts_a_signed_delivery_and_parses_the_event():
    event = an_event()

    body, headers = signed_delivery(event, SECRET)

    parsed = stripe.Webhook.construct_event(body, headers["Stripe-Signature"], SECRET)
    assert parsed.id == event["id"]
    assert parsed.type == "invoice.paid"
    assert parsed.api_version == so.API_VERSION
    invoice = parsed.data.object
    assert invoice.parent.subscription_details.subscription.startswith("sub_")
    assert json.loads(body) == event
    assert headers["Content-Type"].startswith("application/json")


def test_a_tampered_body_is_refused():
    body, headers = signed_delivery(an_event(), SECRET)
    tampered = body.replace(b'"status": "paid"', b'"status": "void"')
    assert tampered != body

    with pytest.raises(stripe.SignatureVerificationError, match="No signatures found matching"):
        stripe.Webhook.construct_event(tampered, headers["Stripe-Signature"], SECRET)


def test_a_wrong_secret_is_refused():
    body, headers = signed_delivery(an_event(), "whsec_someone_else")

    with pytest.raises(stripe.SignatureVerificationError, match="No signatures found matching"):
        stripe.Webhook.construct_event(body, headers["Stripe-Signature"], SECRET)


def test_a_timestamp_older_than_the_tolerance_is_refused():
    tolerance = stripe.Webhook.DEFAULT_TOLERANCE
    now = int(time.time())
    stale_body, stale = signed_delivery(an_event(), SECRET, timestamp=now - tolerance - 10)
    late_body, late = signed_delivery(an_event(), SECRET, timestamp=now - tolerance + 60)

    with pytest.raises(stripe.SignatureVerificationError, match="outside the tolerance zone"):
        stripe.Webhook.construct_event(stale_body, stale["Stripe-Signature"], SECRET)
    assert stripe.Webhook.construct_event(late_body, late["Stripe-Signature"], SECRET)


def test_a_missing_header_is_refused():
    body, _ = signed_delivery(an_event(), SECRET)

    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, "", SECRET)
