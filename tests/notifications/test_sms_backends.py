"""The SMS backends, through the real twilio and africastalking SDKs, against a local HTTP
server that records what they send and answers in each provider's documented shapes."""

import base64
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
import requests
from africastalking.Service import AfricasTalkingException
from django.core.exceptions import ImproperlyConfigured
from twilio.base.exceptions import TwilioRestException

from apps.notifications.categories import Category
from apps.notifications.models import Delivery, DeliveryStatus
from apps.notifications.services import Recipient, notification_send
from apps.notifications.sms import get_sms_backend
from apps.notifications.sms.africastalking import AfricasTalkingBackend, AfricasTalkingSmsError
from apps.notifications.sms.twilio import TwilioBackend, TwilioSmsError

ACCOUNT_SID = "AC" + "a" * 32
AUTH_TOKEN = "twilio-test-token"
FROM_NUMBER = "+15005550006"
MESSAGE_SID = "SM" + "0f" * 16
AT_USERNAME = "estateapp"
AT_API_KEY = "atsk_test_key"
AT_MESSAGE_ID = "ATXid_4c2f0b7a8e6d1c3b5a9f"
TO = "+2348031234567"


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, str]


@dataclass
class Answer:
    status: int
    body: Any
    content_type: str = "application/json"


@dataclass
class FakeProvider:
    """A provider on 127.0.0.1: records each request, answers with the queued answers in
    order (the last one again once they run out)."""

    url: str
    requests: list[Recorded] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)

    def answer(self, status: int, body: Any, content_type: str = "application/json") -> None:
        self.answers.append(Answer(status, body, content_type))

    def _next(self) -> Answer:
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    fake = FakeProvider(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode()
            form = {name: values[-1] for name, values in parse_qs(raw).items()}
            fake.requests.append(Recorded("POST", self.path, dict(self.headers.items()), form))
            answer = fake._next()
            body = answer.body if isinstance(answer.body, str) else json.dumps(answer.body)
            payload = body.encode()
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:  # quiet in test output
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def closed_port_url() -> str:
    """An address on loopback where nothing listens: connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def twilio_settings(settings: Any, provider: FakeProvider) -> Any:
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_FROM_NUMBER = FROM_NUMBER
    settings.TWILIO_API_BASE = provider.url
    return settings


@pytest.fixture
def at_settings(settings: Any, provider: FakeProvider) -> Any:
    settings.AFRICASTALKING_USERNAME = AT_USERNAME
    settings.AFRICASTALKING_API_KEY = AT_API_KEY
    settings.AFRICASTALKING_SENDER_ID = "ESTATEAPP"
    settings.AFRICASTALKING_API_BASE = provider.url
    return settings


# --- Twilio -------------------------------------------------------------------------------


def twilio_message(to: str, body: str, status: str = "queued") -> dict[str, Any]:
    """A Message resource as Twilio answers a create (API version 2010-04-01)."""
    uri = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{MESSAGE_SID}"
    return {
        "account_sid": ACCOUNT_SID,
        "api_version": "2010-04-01",
        "body": body,
        "date_created": "Mon, 02 Jun 2025 10:15:00 +0000",
        "date_sent": None,
        "date_updated": "Mon, 02 Jun 2025 10:15:00 +0000",
        "direction": "outbound-api",
        "error_code": None,
        "error_message": None,
        "from": FROM_NUMBER,
        "messaging_service_sid": None,
        "num_media": "0",
        "num_segments": "1",
        "price": None,
        "price_unit": "USD",
        "sid": MESSAGE_SID,
        "status": status,
        "subresource_uris": {"media": f"{uri}/Media.json"},
        "to": to,
        "uri": f"{uri}.json",
    }


def twilio_error(code: int, message: str, status: int) -> dict[str, Any]:
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def basic_auth(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def test_twilio_sends_to_from_and_body_with_the_account_credentials(twilio_settings, provider):
    provider.answer(201, twilio_message(TO, "Your commission was paid."))

    message_id = TwilioBackend().send(to=TO, body="Your commission was paid.")

    assert message_id == MESSAGE_SID
    [request] = provider.requests
    assert request.method == "POST"
    assert request.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request.headers["Authorization"] == basic_auth(ACCOUNT_SID, AUTH_TOKEN)
    assert request.form == {"To": TO, "From": FROM_NUMBER, "Body": "Your commission was paid."}


def test_twilio_refusal_raises_with_twilios_reason(twilio_settings, provider):
    provider.answer(400, twilio_error(21211, "The 'To' number +234123 is not valid.", 400))

    with pytest.raises(TwilioRestException) as refused:
        TwilioBackend().send(to="+234123", body="Hello")

    assert refused.value.status == 400
    assert refused.value.code == 21211
    assert provider.requests[0].form["To"] == "+234123"


def test_twilio_server_error_raises(twilio_settings, provider):
    provider.answer(503, twilio_error(20503, "Service unavailable", 503))

    with pytest.raises(TwilioRestException) as failed:
        TwilioBackend().send(to=TO, body="Hello")

    assert failed.value.status == 503
    assert len(provider.requests) == 1


def test_twilio_message_already_failed_in_the_answer_raises(twilio_settings, provider):
    answer = twilio_message(TO, "Hello", status="failed")
    answer.update(error_code=30006, error_message="Landline or unreachable carrier")
    provider.answer(201, answer)

    with pytest.raises(TwilioSmsError, match="30006"):
        TwilioBackend().send(to=TO, body="Hello")


def test_twilio_unreachable_raises(twilio_settings, closed_port_url):
    twilio_settings.TWILIO_API_BASE = closed_port_url

    with pytest.raises(requests.ConnectionError):
        TwilioBackend().send(to=TO, body="Hello")


def test_twilio_without_credentials_is_misconfigured(settings):
    settings.TWILIO_ACCOUNT_SID = ""
    settings.TWILIO_AUTH_TOKEN = ""
    settings.TWILIO_FROM_NUMBER = ""

    with pytest.raises(ImproperlyConfigured, match="TWILIO_ACCOUNT_SID"):
        TwilioBackend()


# --- Africa's Talking ---------------------------------------------------------------------


def at_answer(to: str, status: str = "Success", status_code: int = 101) -> dict[str, Any]:
    """Africa's Talking's answer to POST /version1/messaging (HTTP 201 either way)."""
    sent = status == "Success"
    return {
        "SMSMessageData": {
            "Message": f"Sent to {int(sent)}/1 Total Cost: NGN {'2.2000' if sent else '0'}",
            "Recipients": [
                {
                    "statusCode": status_code,
                    "number": to,
                    "status": status,
                    "cost": "NGN 2.2000" if sent else "0",
                    "messageId": AT_MESSAGE_ID if sent else "None",
                }
            ],
        }
    }


def test_africastalking_sends_username_recipient_sender_and_message(at_settings, provider):
    provider.answer(201, at_answer(TO))

    message_id = AfricasTalkingBackend().send(to=TO, body="Payment of ₦5,000.00 failed.")

    assert message_id == AT_MESSAGE_ID
    [request] = provider.requests
    assert request.path == "/version1/messaging"
    assert request.headers["apiKey"] == AT_API_KEY
    assert request.headers["Accept"] == "application/json"
    assert request.form == {
        "username": AT_USERNAME,
        "to": TO,
        "message": "Payment of ₦5,000.00 failed.",
        "from": "ESTATEAPP",
        "bulkSMSMode": "1",
    }


def test_africastalking_without_sender_id_uses_the_accounts_default(at_settings, provider):
    at_settings.AFRICASTALKING_SENDER_ID = ""
    provider.answer(201, at_answer(TO))

    AfricasTalkingBackend().send(to=TO, body="Hello")

    assert "from" not in provider.requests[0].form


def test_africastalking_answer_with_a_charset_is_read_too(at_settings, provider):
    # The SDK decodes JSON only for exactly "application/json"; otherwise it returns text.
    provider.answer(201, at_answer(TO), content_type="application/json; charset=utf-8")

    assert AfricasTalkingBackend().send(to=TO, body="Hello") == AT_MESSAGE_ID


@pytest.mark.parametrize(
    ("status", "status_code"),
    [("InvalidPhoneNumber", 403), ("InsufficientBalance", 405), ("UserInBlacklist", 406)],
)
def test_africastalking_recipient_refused_raises_despite_the_201(
    at_settings, provider, status, status_code
):
    provider.answer(201, at_answer(TO, status=status, status_code=status_code))

    with pytest.raises(AfricasTalkingSmsError, match=status):
        AfricasTalkingBackend().send(to=TO, body="Hello")


def test_africastalking_no_recipients_raises_with_the_message(at_settings, provider):
    provider.answer(201, {"SMSMessageData": {"Message": "InvalidSenderId", "Recipients": []}})

    with pytest.raises(AfricasTalkingSmsError, match="InvalidSenderId"):
        AfricasTalkingBackend().send(to=TO, body="Hello")


def test_africastalking_authentication_error_raises(at_settings, provider):
    provider.answer(401, "The supplied authentication is invalid", content_type="text/plain")

    with pytest.raises(AfricasTalkingException, match="authentication is invalid"):
        AfricasTalkingBackend().send(to=TO, body="Hello")


def test_africastalking_server_error_raises(at_settings, provider):
    provider.answer(500, "Internal Server Error", content_type="text/plain")

    with pytest.raises(AfricasTalkingException):
        AfricasTalkingBackend().send(to=TO, body="Hello")


def test_africastalking_unreachable_raises(at_settings, closed_port_url):
    at_settings.AFRICASTALKING_API_BASE = closed_port_url

    with pytest.raises(requests.ConnectionError):
        AfricasTalkingBackend().send(to=TO, body="Hello")


def test_africastalking_without_credentials_is_misconfigured(settings):
    settings.AFRICASTALKING_USERNAME = ""
    settings.AFRICASTALKING_API_KEY = ""

    with pytest.raises(ImproperlyConfigured, match="AFRICASTALKING_USERNAME"):
        AfricasTalkingBackend()


# --- through the outbox -------------------------------------------------------------------


def _payment_failed_by_sms(key: str) -> None:
    notification_send(
        category=Category.PAYMENT_FAILED,
        key=key,
        event="payment_failed",
        company_id=None,
        # No email address: the email delivery is skipped, only the SMS goes out.
        recipients=[Recipient(user_id=None, email="", phone=TO)],
        context={"company_name": "Lekki Gardens", "amount": "5000.00"},
    )


@pytest.mark.django_db
def test_a_queued_sms_goes_out_through_twilio_and_ends_sent(
    twilio_settings, provider, django_capture_on_commit_callbacks
):
    twilio_settings.SMS_BACKEND = "apps.notifications.sms.twilio.TwilioBackend"
    assert isinstance(get_sms_backend(), TwilioBackend)
    provider.answer(201, twilio_message(TO, "EstateApp: payment failed."))

    with django_capture_on_commit_callbacks(execute=True):
        _payment_failed_by_sms("payment_failed:sms-test:1")

    sms = Delivery.objects.get(channel="sms")
    assert sms.status == DeliveryStatus.SENT
    assert sms.provider_message_id == MESSAGE_SID
    assert sms.to == TO
    assert sms.attempts == 1
    assert sms.sent_at is not None
    [request] = provider.requests
    assert request.form["To"] == TO
    assert request.form["From"] == FROM_NUMBER
    assert request.form["Body"].startswith("EstateApp: a payment of NGN 5,000.00 failed.")


@pytest.mark.django_db
def test_a_refused_sms_through_africastalking_waits_for_a_retry(
    at_settings, provider, django_capture_on_commit_callbacks
):
    at_settings.SMS_BACKEND = "apps.notifications.sms.africastalking.AfricasTalkingBackend"
    provider.answer(201, at_answer(TO, status="InvalidPhoneNumber", status_code=403))

    with django_capture_on_commit_callbacks(execute=True):
        _payment_failed_by_sms("payment_failed:sms-test:2")

    sms = Delivery.objects.get(channel="sms")
    assert sms.status == DeliveryStatus.QUEUED
    assert sms.attempts == 1
    assert "InvalidPhoneNumber" in sms.last_error
    assert sms.next_attempt_at is not None
    assert sms.provider_message_id == ""
    assert len(provider.requests) == 1
