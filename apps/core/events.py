"""Publishing domain events: after the transaction commits, robustly.

A failing receiver never breaks the sender: it is logged and reported to Sentry. Under
tests (settings.EVENTS_RAISE_RECEIVER_ERRORS) it is re-raised so bugs surface.
"""

import contextvars
import logging
from typing import Any

import sentry_sdk
from django.conf import settings
from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)


def publish(signal: Signal, *, sender: Any, **payload: Any) -> None:
    """Send ``signal`` with ``payload`` (ids and plain values) once the transaction commits.

    Receivers run in the context the event was published in (the request's id and caller,
    for the audit trail), even where the commit comes later than the request.
    """
    context = contextvars.copy_context()
    transaction.on_commit(lambda: context.run(dispatch, signal, sender=sender, **payload))


def dispatch(signal: Signal, *, sender: Any, **payload: Any) -> None:
    for receiver, result in signal.send_robust(sender=sender, **payload):
        if isinstance(result, Exception):
            logger.error("Receiver %r failed for %r", receiver, sender, exc_info=result)
            sentry_sdk.capture_exception(result)
            if getattr(settings, "EVENTS_RAISE_RECEIVER_ERRORS", False):
                raise result
