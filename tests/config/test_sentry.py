"""Sentry: the real SDK sends to a local HTTP endpoint, and nothing secret leaves.

The endpoint records every envelope the SDK POSTs, so the assertions run on exactly the
bytes that would have gone to sentry.io.
"""

import gzip
import io
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest
import sentry_sdk
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from sentry_sdk.envelope import Envelope

from config.sentry import FILTERED, init_sentry, scrub, scrub_string
from tests.accounts.factories import UserFactory
from tests.companies.factories import CompanyFactory, MembershipFactory
from tests.config import sentry_urls
from tests.conftest import client_for

API_KEY = "ea_0a1b2c3d4e5f_Zx9-Yw8_Vu7Ts6Rq5Po4"
CLIENT_IP = "203.0.113.7"


class EnvelopeServer(ThreadingHTTPServer):
    """Records the body and Content-Encoding of every POST; decoding happens in the test."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _EnvelopeHandler)
        self.received: list[tuple[str, bytes]] = []

    @property
    def port(self) -> int:
        return self.server_address[1]

    def raw_envelopes(self) -> list[bytes]:
        return [_decode(encoding, body) for encoding, body in self.received]

    def events(self) -> list[dict[str, Any]]:
        events = []
        for raw in self.raw_envelopes():
            event = Envelope.deserialize(raw).get_event()
            if event is not None:
                events.append(event)
        return events


class _EnvelopeHandler(BaseHTTPRequestHandler):
    server: EnvelopeServer

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.received.append((self.headers.get("Content-Encoding", ""), body))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet."""


def _decode(encoding: str, body: bytes) -> bytes:
    # sentry-sdk compresses with brotli when the module is installed, gzip otherwise.
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "br":
        import brotli

        return brotli.decompress(body)
    assert encoding in ("", "identity"), f"unexpected Content-Encoding {encoding!r}"
    return body


@pytest.fixture
def sentry_server() -> Iterator[EnvelopeServer]:
    server = EnvelopeServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def sentry(sentry_server: EnvelopeServer) -> Iterator[EnvelopeServer]:
    """The SDK initialised by the project's ``init_sentry``, reporting to ``sentry_server``.

    Tags and the user set during the test live in a throwaway isolation scope; afterwards
    the SDK is re-initialised without a DSN so no other test reports anywhere.
    """
    with sentry_sdk.isolation_scope():
        enabled = init_sentry(
            dsn=f"http://publickey@127.0.0.1:{sentry_server.port}/1",
            environment="test",
            release="estateapp@test",
            traces_sample_rate=0.0,
        )
        assert enabled is True
        yield sentry_server
        sentry_sdk.get_client().close(timeout=2)
    sentry_sdk.init(dsn=None)


@contextmanager
def _test_connection_kept_open() -> Iterator[None]:
    """Keep request_started/finished from closing the test's database connection.

    Django's test client does the same; without it the connection that holds the test's
    transaction would be closed by the request.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def wsgi_post(path: str, payload: dict[str, Any], headers: dict[str, str]) -> tuple[int, bytes]:
    """POST through Django's WSGIHandler, as gunicorn would.

    Django's test client bypasses ``WSGIHandler.__call__``, which is where the Sentry SDK
    forks a scope per request and records the request's URL and headers.
    """
    body = json.dumps(payload).encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "HTTP_HOST": "testserver",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "REMOTE_ADDR": CLIENT_IP,
        **headers,
    }
    setup_testing_defaults(environ)
    statuses: list[str] = []

    def start_response(status: str, response_headers: Any, exc_info: Any = None) -> None:
        statuses.append(status)

    with _test_connection_kept_open():
        response = WSGIHandler()(environ, start_response)
        try:
            content = b"".join(response)
        finally:
            response.close()
    return int(statuses[0].split()[0]), content


@pytest.mark.urls("tests.config.sentry_urls")
def test_unhandled_api_error_reaches_sentry_tagged_and_scrubbed(
    sentry: EnvelopeServer, db: None
) -> None:
    company = CompanyFactory()
    user = MembershipFactory(company=company, user=UserFactory()).user
    credentials = client_for(user, company.pk)._credentials
    access_token = credentials["HTTP_AUTHORIZATION"].removeprefix("Bearer ")

    status, content = wsgi_post(
        "/api/boom/",
        {
            "card_number": "4242424242424242",
            "account_number": "0123456789",
            "password": sentry_urls.PASSWORD,
        },
        headers={**credentials, "HTTP_X_API_KEY": API_KEY, "HTTP_X_FORWARDED_FOR": CLIENT_IP},
    )

    assert status == 500
    assert json.loads(content)["error"]["code"] == "server_error"
    assert b"4242" not in content

    sentry_sdk.flush(timeout=5)
    events = [event for event in sentry.events() if event.get("exception")]
    assert len(events) == 1, f"expected one error event, got {len(events)}"
    [event] = events

    assert event["environment"] == "test"
    assert event["release"] == "estateapp@test"
    [exception] = event["exception"]["values"]
    assert exception["type"] == "RuntimeError"
    assert exception["value"] == (
        f"Charge failed for card {FILTERED}, payout account {FILTERED}, using key {FILTERED}"
    )

    assert str(event["tags"]["company_id"]) == str(company.pk)
    assert event["tags"]["tier"] == company.subscription_tier
    assert event["user"] == {"id": user.pk}

    request = event["request"]
    assert request["url"] == "http://testserver/api/boom/"
    assert request["headers"]["Authorization"] == FILTERED
    assert request["headers"]["X-Api-Key"] == FILTERED
    assert request["data"] == {
        "card_number": FILTERED,
        "account_number": FILTERED,
        "password": FILTERED,
    }
    frame_vars = exception["stacktrace"]["frames"][-1]["vars"]
    assert frame_vars["password"] == FILTERED
    assert frame_vars["authorization"] == FILTERED

    raw = b"".join(sentry.raw_envelopes()).decode()
    leaks = {
        "card number": sentry_urls.CARD_NUMBER,
        "card number without spaces": sentry_urls.CARD_NUMBER.replace(" ", ""),
        "bank account": sentry_urls.BANK_ACCOUNT,
        "Stripe secret": sentry_urls.STRIPE_SECRET,
        "password": sentry_urls.PASSWORD,
        "JWT": access_token,
        "API key": API_KEY,
        "email": user.email,
        "client IP": CLIENT_IP,
    }
    leaked = [name for name, secret in leaks.items() if secret in raw]
    assert leaked == []


def test_init_sentry_without_dsn_stays_off(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(sentry_sdk, "init", lambda **kwargs: calls.append(kwargs))

    enabled = init_sentry(
        dsn="", environment="test", release="estateapp@test", traces_sample_rate=1.0
    )

    assert enabled is False
    assert calls == [], "the SDK was initialised without a DSN"


# --- the scrubber on its own -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("card 4242 4242 4242 4242 declined", f"card {FILTERED} declined"),
        ("card 4242-4242-4242-4242", f"card {FILTERED}"),
        ("pan=4242424242424242;", f"pan={FILTERED};"),
        ("amex 378282246310005", f"amex {FILTERED}"),
        ("account 0123456789 credited", f"account {FILTERED} credited"),
        ("key sk_live_51HxYzAbC", f"key {FILTERED}"),
        ("restricted rk_test_9aZ", f"restricted {FILTERED}"),
        ("webhook whsec_abcDEF123", f"webhook {FILTERED}"),
        (f"X-API-Key: {API_KEY}", f"X-API-Key: {FILTERED}"),
        ("Authorization: Bearer eyJhbGciOi.eyJ1c2VyIjoxfQ.c2ln", f"Authorization: {FILTERED}"),
        ("/login?next=/&password=hunter2&x=1", f"/login?next=/&{FILTERED}&x=1"),
    ],
)
def test_scrub_string_filters_secrets(text: str, expected: str) -> None:
    assert scrub_string(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "order 4242424242424241 (fails the Luhn check)",
        "call 08031234567",  # a Nigerian mobile number: 11 digits
        "+234 803 123 4567",
        "plot 12345, estate 987654321",  # 9 digits: not an account number
        "amount 1500000.00 NGN",
        "ea_not-hex_abc",  # not shaped like our keys
    ],
)
def test_scrub_string_keeps_ordinary_text(text: str) -> None:
    assert scrub_string(text) == text


def test_scrub_filters_sensitive_keys_at_any_depth() -> None:
    event = {
        "event_id": "0123456789abcdef0123456789abcdef",
        "contexts": {"trace": {"trace_id": "12345678901234567890123456789012", "span_id": "1"}},
        "request": {
            "headers": [
                ["Authorization", "Bearer abc.def.ghi"],
                ["X-Api-Key", "anything"],
                ["Stripe-Signature", "t=1,v1=abc"],
                ["Accept", "application/json"],
            ],
            "data": {"card_number": "4111111111111111", "plot": "A-12", "notes": ["0123456789"]},
            "cookies": {"sessionid": "abc"},
        },
        "extra": {"stripe_signature": "t=1,v1=abc", "X-Api-Key": "k", "CVV": "123"},
        "level": "error",
    }

    cleaned = scrub(event)

    assert cleaned["event_id"] == event["event_id"]
    assert cleaned["contexts"]["trace"] == event["contexts"]["trace"]
    assert cleaned["request"]["headers"] == [
        ["Authorization", FILTERED],
        ["X-Api-Key", FILTERED],
        ["Stripe-Signature", FILTERED],
        ["Accept", "application/json"],
    ]
    assert cleaned["request"]["data"] == {
        "card_number": FILTERED,
        "plot": "A-12",
        "notes": [FILTERED],
    }
    assert cleaned["request"]["cookies"] == FILTERED
    assert cleaned["extra"] == {
        "stripe_signature": FILTERED,
        "X-Api-Key": FILTERED,
        "CVV": FILTERED,
    }
    assert cleaned["level"] == "error"
    # The input is left as it was: the SDK may still hold a reference to it.
    assert event["request"]["data"]["card_number"] == "4111111111111111"


def test_scrub_leaves_non_string_values_alone() -> None:
    value = {"user_id": 42, "ratio": 0.075, "ok": True, "none": None}

    assert scrub(value) == value


def test_scrubbed_event_is_still_json() -> None:
    cleaned = scrub({"request": {"headers": (("Authorization", "Bearer x"),)}, "n": 1})

    assert json.loads(json.dumps(cleaned)) == {
        "request": {"headers": [["Authorization", FILTERED]]},
        "n": 1,
    }
