"""SMS through Africa's Talking's official SDK (``POST /version1/messaging``).

Africa's Talking answers 201 even when it refuses the message: the outcome is per
recipient in ``SMSMessageData.Recipients`` (``status`` "Success" with ``statusCode``
100/101/102, or a reason such as "InvalidPhoneNumber", "InsufficientBalance",
"UserInBlacklist"). Anything but "Success" raises, so the delivery is retried and the
reason recorded.
"""

import json
from typing import Any

from africastalking.SMS import SMSService
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class AfricasTalkingSmsError(Exception):
    """Africa's Talking answered, but did not take the message for the recipient."""


class AfricasTalkingBackend:
    def __init__(self) -> None:
        username, api_key = settings.AFRICASTALKING_USERNAME, settings.AFRICASTALKING_API_KEY
        if not (username and api_key):
            raise ImproperlyConfigured(
                "The Africa's Talking SMS backend needs AFRICASTALKING_USERNAME and "
                "AFRICASTALKING_API_KEY."
            )
        # The service object, not africastalking.initialize(): that sets module globals.
        self.service = SMSService(username, api_key)
        if settings.AFRICASTALKING_API_BASE:
            # The SDK has no option for its host; tests point it at a local server.
            self.service._baseUrl = settings.AFRICASTALKING_API_BASE.rstrip("/") + "/version1"
        self.sender_id = settings.AFRICASTALKING_SENDER_ID or None

    def send(self, *, to: str, body: str) -> str:
        # A non-2xx answer raises AfricasTalkingException, a network failure requests'
        # errors, a number not in international form ValueError.
        answer = self.service.send(body, [to], sender_id=self.sender_id)
        recipients = _recipients(answer)
        if not recipients:
            raise AfricasTalkingSmsError(f"No recipient accepted: {_summary(answer)}")
        recipient = recipients[0]
        status = recipient.get("status")
        message_id = recipient.get("messageId") or ""
        if status != "Success" or not message_id or message_id == "None":
            raise AfricasTalkingSmsError(
                f"{to} refused: {status} (statusCode {recipient.get('statusCode')})"
            )
        return message_id


def _parsed(answer: Any) -> dict[str, Any]:
    # The SDK decodes JSON only when Content-Type is exactly "application/json"; with a
    # charset it hands back the text.
    if isinstance(answer, str | bytes):
        try:
            answer = json.loads(answer)
        except ValueError as error:
            raise AfricasTalkingSmsError(f"Unreadable answer: {answer[:200]!r}") from error
    if not isinstance(answer, dict):
        raise AfricasTalkingSmsError(f"Unexpected answer: {answer!r}"[:300])
    return answer


def _recipients(answer: Any) -> list[dict[str, Any]]:
    data = _parsed(answer).get("SMSMessageData") or {}
    return [row for row in data.get("Recipients") or [] if isinstance(row, dict)]


def _summary(answer: Any) -> str:
    return str((_parsed(answer).get("SMSMessageData") or {}).get("Message", ""))[:300]
