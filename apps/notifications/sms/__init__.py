"""Sending SMS through a backend chosen by setting (SMS_BACKEND, a dotted path):

- ``apps.notifications.sms.console.ConsoleBackend`` (the default): writes to stdout;
- ``apps.notifications.sms.twilio.TwilioBackend``: Twilio's SDK (TWILIO_*);
- ``apps.notifications.sms.africastalking.AfricasTalkingBackend``: Africa's Talking's SDK
  (AFRICASTALKING_*), the gateway Nigerian senders commonly use.
"""

from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class SmsBackend(Protocol):
    def send(self, *, to: str, body: str) -> str:
        """Send ``body`` to ``to`` (E.164); returns the provider's message id. Raises on
        any failure, so the delivery is retried."""
        ...


def get_sms_backend() -> SmsBackend:
    """The configured backend, made from the settings as they are now."""
    return import_string(settings.SMS_BACKEND)()
