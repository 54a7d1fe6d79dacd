"""Webhook deliveries signed as Stripe signs them, for the app's webhook endpoint.

Stripe's ``Stripe-Signature`` header is ``t=<unix seconds>,v1=<hex HMAC-SHA256>`` over
``f"{t}.{raw body}"`` keyed with the endpoint's signing secret; the SDK's
``WebhookSignature.verify_header`` (stripe/_webhook.py) recomputes it from the raw body
and refuses a timestamp older than its tolerance (``Webhook.DEFAULT_TOLERANCE``, 300 s).
"""

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

SIGNATURE_HEADER = "Stripe-Signature"
# What Django's test client takes as the header (it goes to request.META).
SIGNATURE_META = "HTTP_STRIPE_SIGNATURE"


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header value for ``payload`` signed with ``secret``."""
    signed_at = int(time.time()) if timestamp is None else int(timestamp)
    signed_payload = f"{signed_at}.".encode() + payload
    digest = hmac.new(secret.encode(), signed_payload, hashlib.sha256).hexdigest()
    return f"t={signed_at},v1={digest}"


def event_body(event: Mapping[str, Any]) -> bytes:
    """An event's JSON body, pretty-printed as Stripe sends it (the bytes are what is signed)."""
    return json.dumps(event, indent=2).encode()


def signed_delivery(
    event_dict: Mapping[str, Any], secret: str, timestamp: int | None = None
) -> tuple[bytes, dict[str, str]]:
    """The raw body and headers of a webhook delivery of ``event_dict``, ready to POST; with
    Django's test client: ``client.post(url, body, content_type=headers["Content-Type"],
    headers={"Stripe-Signature": headers["Stripe-Signature"]})``."""
    body = event_body(event_dict)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        SIGNATURE_HEADER: sign(body, secret, timestamp),
    }
    return body, headers
