"""A local HTTP server standing in for api.stripe.com, for the real stripe SDK to call.

    with StripeStandIn() as stripe_server:
        client = stripe_server.client()              # a StripeClient pointed at it
        with stripe_server.as_global():              # or the module-level stripe.api_base
            ...
        stripe_server.requests[-1].params            # what the SDK sent, decoded

It records every request (decoded the way Stripe reads the SDK's form encoding), answers
from stripe_api.FakeStripe in the pinned API version's shapes, replays idempotent POSTs
as Stripe does, and can fail on demand: ``fail_next(500)``, ``fail_next("disconnect")``,
or ``down()`` (connections refused) until ``up()``. It listens on 127.0.0.1 only, on a
port the OS picks.
"""

import copy
import json
import secrets
import socket
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import urlsplit

import stripe
from requests import Session

from tests.payments import stripe_objects as so
from tests.payments.stripe_api import (
    CheckoutOutcome,
    FakeStripe,
    InvoicePayment,
    StripeDict,
    StripeError,
)
from tests.payments.stripe_form import decode_form

TEST_API_KEY = "sk_test_stand_in"
# Our tiers' monthly prices in kobo, served as price_<tier>.
PRICES = {"starter": 2_500_000, "professional": 7_500_000, "enterprise": 25_000_000}


def price_id(tier: str) -> str:
    return f"price_{tier}"


Failure = int | Literal["disconnect"]

# Stripe's error type for an injected status (the SDK picks its exception from the status).
_ERROR_TYPES = {402: "card_error", 409: "idempotency_error"}
_ERROR_CODES = {402: "card_declined", 404: "resource_missing", 429: "rate_limit"}


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the stand-in received it, and what it answered."""

    method: str
    path: str
    query: StripeDict
    body: StripeDict
    raw_body: str  # as sent: "line_items[0][price]=price_x&..."
    headers: dict[str, str]
    status: int | None  # None: the stand-in dropped the connection
    response: StripeDict | None
    replayed: bool = False

    @property
    def params(self) -> StripeDict:
        """The parameters: the body of a POST, the query string otherwise."""
        return self.body if self.method == "POST" else self.query

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("Idempotency-Key")

    @property
    def stripe_version(self) -> str | None:
        return self.headers.get("Stripe-Version")

    @property
    def authorization(self) -> str | None:
        return self.headers.get("Authorization")


@dataclass
class _Failure:
    kind: Failure
    times: int
    path: str | None


@dataclass
class _Idempotent:
    method: str
    path: str
    body: StripeDict
    status: int
    response: StripeDict


@dataclass
class _State:
    requests: list[RecordedRequest] = field(default_factory=list)
    failures: list[_Failure] = field(default_factory=list)
    idempotent: dict[str, _Idempotent] = field(default_factory=dict)


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"
    # HTTP/1.0: one request per connection, so nothing pooled outlives down().
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:
        self.server.stand_in._serve(self)

    do_POST = do_DELETE = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the record is stripe_server.requests


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, stand_in: "StripeStandIn") -> None:
        self.stand_in = stand_in
        super().__init__(("127.0.0.1", port), _Handler)


class StripeStandIn:
    """api.stripe.com on 127.0.0.1, in the pinned API version's shapes."""

    def __init__(self, api_version: str = so.API_VERSION) -> None:
        self.api_version = api_version
        self.api = FakeStripe()
        self._state = _State()
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # --- lifecycle --------------------------------------------------------------------------

    def __enter__(self) -> "StripeStandIn":
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        self.up()

    def stop(self) -> None:
        self.down()

    def up(self) -> None:
        """Listen (again, on the same port after ``down()``)."""
        if self._server is not None:
            return
        self._server = _Server(self.port, self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"stripe-stand-in:{self.port}",
            daemon=True,
        )
        self._thread.start()

    def down(self) -> None:
        """Close the listening socket: connections are refused until ``up()``."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        assert self._thread is not None
        self._thread.join()
        self._server = self._thread = None

    @property
    def url(self) -> str:
        if not self.port:
            raise RuntimeError("the stand-in is not started")
        return f"http://127.0.0.1:{self.port}"

    # --- pointing the SDK at it -------------------------------------------------------------

    def client(self, api_key: str = TEST_API_KEY, **options: Any) -> stripe.StripeClient:
        """A StripeClient that talks to the stand-in, without retries unless told."""
        session = Session()
        session.trust_env = False  # no proxy from the environment for 127.0.0.1
        options.setdefault("max_network_retries", 0)
        return stripe.StripeClient(
            api_key,
            base_addresses={"api": self.url},
            http_client=stripe.RequestsClient(session=session),
            **options,
        )

    @contextmanager
    def as_global(
        self, api_key: str = TEST_API_KEY, max_network_retries: int = 0
    ) -> Iterator["StripeStandIn"]:
        """The module-level SDK configuration (what config/stripe.py sets) pointed here."""
        names = ("api_base", "api_key", "api_version", "max_network_retries")
        saved = {name: getattr(stripe, name) for name in names}
        stripe.api_base = self.url
        stripe.api_key = api_key
        stripe.api_version = self.api_version
        stripe.max_network_retries = max_network_retries
        try:
            yield self
        finally:
            for name, value in saved.items():
                setattr(stripe, name, value)

    # --- what was asked ---------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._state.requests)

    def requests_to(self, method: str, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method.upper() and r.path == path]

    def clear_requests(self) -> None:
        with self._lock:
            self._state.requests.clear()

    # --- seeding and Stripe's own moves -----------------------------------------------------

    def add(self, obj: Mapping[str, Any]) -> StripeDict:
        """Keep ``obj`` (a stripe_objects dict) as Stripe would; returns a copy."""
        return self.api.add(obj)

    def get(self, id: str) -> StripeDict:
        """A copy of the object with this id as the stand-in now holds it (KeyError if none)."""
        return self.api.get(id)

    def set_subscription_state(
        self,
        id: str,
        *,
        status: str | None = None,
        price_id: str | None = None,
        period_start: so.Timestamp | None = None,
        period_end: so.Timestamp | None = None,
        cancel_at_period_end: bool | None = None,
        metadata: Mapping[str, str] | None = None,
        latest_invoice: str | None = None,
    ) -> StripeDict:
        """Change a subscription behind the app's back (drift, renewals, dunning)."""
        return self.api.set_subscription_state(
            id,
            status=status,
            price_id=price_id,
            period_start=period_start,
            period_end=period_end,
            cancel_at_period_end=cancel_at_period_end,
            metadata=metadata,
            latest_invoice=latest_invoice,
        )

    def complete_checkout(
        self, session_id: str, *, payment_method: Mapping[str, Any] | None = None
    ) -> CheckoutOutcome:
        """The customer paid on the Checkout page (see FakeStripe.complete_checkout)."""
        return self.api.complete_checkout(session_id, payment_method=payment_method)

    def create_invoice(
        self, subscription_id: str, billing_reason: str = "subscription_cycle"
    ) -> StripeDict:
        """The draft invoice a renewal starts with (pending items included)."""
        return self.api.create_invoice(subscription_id, billing_reason)

    def finalize_invoice(self, id: str) -> StripeDict:
        return self.api.finalize_invoice(id)

    def void_invoice(self, id: str) -> StripeDict:
        return self.api.void_invoice(id)

    def pay_invoice(self, id: str, *, payment_method: str | None = None) -> InvoicePayment:
        return self.api.pay_invoice(id, payment_method=payment_method)

    def fail_invoice_payment(
        self, id: str, *, decline_code: str = "insufficient_funds"
    ) -> InvoicePayment:
        return self.api.fail_invoice_payment(id, decline_code=decline_code)

    # --- failures ---------------------------------------------------------------------------

    def fail_next(self, status: Failure = 500, *, times: int = 1, path: str | None = None) -> None:
        """Answer the next ``times`` requests (to ``path`` only, if given) with ``status``
        in Stripe's error shape, or drop their connections ("disconnect"). Nothing is done
        and nothing is kept for idempotency, as when Stripe fails before acting."""
        with self._lock:
            self._state.failures.append(_Failure(status, times, path))

    # --- serving ----------------------------------------------------------------------------

    def _serve(self, handler: _Handler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw_body = handler.rfile.read(length).decode() if length else ""
        split = urlsplit(handler.path)
        method, path = handler.command, split.path
        headers = dict(handler.headers.items())
        query, body = decode_form(split.query), decode_form(raw_body)
        with self._lock:
            status, response, replayed = self._answer(method, path, headers, query, body)
            self._state.requests.append(
                RecordedRequest(
                    method, path, query, body, raw_body, headers, status, response, replayed
                )
            )
        if status is None:
            handler.close_connection = True
            handler.connection.shutdown(socket.SHUT_RDWR)
            return
        self._respond(handler, status, response, headers.get("Idempotency-Key"), replayed)

    def _answer(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str],
        query: StripeDict,
        body: StripeDict,
    ) -> tuple[int | None, StripeDict | None, bool]:
        failure = self._take_failure(path)
        if failure == "disconnect":
            return None, None, False
        if failure is not None:
            return failure, self._injected_error(failure), False
        refused = self._refusal(headers)
        if refused is not None:
            return refused.status, refused.body(), False
        key = headers.get("Idempotency-Key") if method == "POST" else None
        if key and key in self._state.idempotent:
            earlier = self._state.idempotent[key]
            if (earlier.method, earlier.path, earlier.body) != (method, path, body):
                error = StripeError(
                    400,
                    "Keys for idempotent requests can only be used with the same parameters "
                    "they were first used with. Try using a key other than "
                    f"'{key}' if you meant to execute a different request.",
                    type="idempotency_error",
                )
                return error.status, error.body(), False
            return earlier.status, copy.deepcopy(earlier.response), True
        status, response = self.api.handle(method, path, body if method == "POST" else query)
        # Stripe keeps the result once the request ran; a request refused for its
        # parameters (400) is not kept, so a corrected retry may reuse the key.
        if key and status != 400:
            self._state.idempotent[key] = _Idempotent(method, path, body, status, response)
        return status, response, False

    def _take_failure(self, path: str) -> Failure | None:
        for failure in self._state.failures:
            if failure.path is None or path.startswith(failure.path):
                failure.times -= 1
                if failure.times <= 0:
                    self._state.failures.remove(failure)
                return failure.kind
        return None

    @staticmethod
    def _injected_error(status: int) -> StripeDict:
        type = _ERROR_TYPES.get(status, "api_error" if status >= 500 else "invalid_request_error")
        message = (
            "An unknown error occurred" if status >= 500 else f"Injected {status} by the stand-in"
        )
        return StripeError(status, message, type=type, code=_ERROR_CODES.get(status)).body()

    def _refusal(self, headers: Mapping[str, str]) -> StripeError | None:
        authorization = headers.get("Authorization", "")
        if not authorization:
            return StripeError(
                401,
                "You did not provide an API key. You need to provide your API key in the "
                "Authorization header, using Bearer auth "
                "(e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
            )
        key = authorization.removeprefix("Bearer ")
        if not key.startswith(("sk_test_", "rk_test_")):
            return StripeError(
                401, f"Invalid API Key provided: {key[:8]}***", code="api_key_invalid"
            )
        version = headers.get("Stripe-Version")
        if version != self.api_version:
            return StripeError(
                400,
                f"The stand-in answers in API version {self.api_version} only "
                f"(Stripe-Version: {version!r}).",
                param="Stripe-Version",
            )
        return None

    def _respond(
        self,
        handler: _Handler,
        status: int,
        response: StripeDict | None,
        idempotency_key: str | None,
        replayed: bool,
    ) -> None:
        payload = json.dumps(response, indent=2).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        handler.send_header("Request-Id", "req_" + secrets.token_hex(7))
        handler.send_header("Stripe-Version", self.api_version)
        if idempotency_key:
            handler.send_header("Idempotency-Key", idempotency_key)
        if replayed:
            handler.send_header("Idempotent-Replayed", "true")
        handler.end_headers()
        handler.wfile.write(payload)
