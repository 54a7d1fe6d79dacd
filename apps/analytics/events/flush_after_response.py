"""The embedded mode has no beat: a request's end (after its response went out) writes
this process's buffered events once enough are waiting, or the oldest has waited long
enough. With Redis, beat's flush does it and this does nothing."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings

from apps.analytics.events.buffer import local_buffer, uses_redis

logger = logging.getLogger(__name__)


def flush_if_due(sender: Any = None, **kwargs: Any) -> None:
    if not settings.ANALYTICS_FLUSH_AFTER_RESPONSE or uses_redis():
        return
    if not local_buffer().due():
        return
    from apps.analytics.services import events_flush

    try:
        events_flush()
    except Exception:
        # The events stay taken and go with the next flush; the response is already out.
        logger.exception("Writing buffered analytics events failed")
