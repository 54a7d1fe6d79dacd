"""SMS through Twilio's SDK: a Message created (POST /2010-04-01/Accounts/{sid}/Messages.json)."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

# Seconds before a slow Twilio counts as a failure (and the delivery is retried later).
TIMEOUT = 15

# Statuses of a message Twilio has already given up on when it answers the create call.
REFUSED_STATUSES = {"failed", "undelivered", "canceled"}


class TwilioSmsError(Exception):
    """Twilio took the request but did not accept the message."""


class TwilioBackend:
    def __init__(self) -> None:
        account_sid, auth_token = settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN
        self.from_number = settings.TWILIO_FROM_NUMBER
        if not (account_sid and auth_token and self.from_number):
            raise ImproperlyConfigured(
                "The Twilio SMS backend needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and "
                "TWILIO_FROM_NUMBER."
            )
        self.client = Client(account_sid, auth_token, http_client=TwilioHttpClient(timeout=TIMEOUT))
        if settings.TWILIO_API_BASE:  # tests: a local server instead of api.twilio.com
            self.client.api.base_url = settings.TWILIO_API_BASE

    def send(self, *, to: str, body: str) -> str:
        # Any HTTP error status raises TwilioRestException, a network failure requests'
        # ConnectionError or Timeout: all of them reach the caller, which retries.
        message = self.client.messages.create(to=to, from_=self.from_number, body=body)
        if message.status in REFUSED_STATUSES or message.error_code:
            raise TwilioSmsError(
                f"Twilio did not accept message {message.sid}: status {message.status}, "
                f"error {message.error_code} {message.error_message or ''}".rstrip()
            )
        return message.sid
