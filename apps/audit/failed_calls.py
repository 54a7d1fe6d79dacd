"""Failed API calls (5xx and 429) in the trail, sampled so that an attack cannot flood it.

Per caller (the company, or the client's address when there is none) and kind (5xx or
429) at most one entry per AUDIT_FAILED_CALL_WINDOW seconds; the next entry says how many
like it were left out in between. Across all callers at most AUDIT_FAILED_CALL_MAX_PER_WINDOW
entries are written per window. Counted in the ``limits`` cache: Redis, or each process's
memory while Redis is down.
"""

import logging

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest

from apps.audit.context import request_ip
from apps.audit.models import AuditAction
from apps.audit.recording import EventEntry, entry_record
from apps.core.tenancy import get_tenant
from config.caches import LIMITS_CACHE

logger = logging.getLogger(__name__)
PATH_MAX = 200
# How long a count of calls left out waits for the next entry to report it.
LEFT_OUT_KEPT = 24 * 60 * 60


def _count(cache: object, key: str, window: int) -> int:
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return 1


def failed_call_record(*, request: HttpRequest, status: int) -> None:
    """Record the failed call unless one like it was recorded within the window."""
    cache = caches[LIMITS_CACHE]
    window = settings.AUDIT_FAILED_CALL_WINDOW
    tenant = get_tenant(request)
    company_id = tenant.company_id if tenant is not None else None
    caller = f"company:{company_id}" if company_id else f"ip:{request_ip(request)}"
    kind = "5xx" if status >= 500 else "429"
    key = f"audit:failed:{caller}:{kind}"
    try:
        if _count(cache, key, window) > 1:
            _count(cache, f"{key}:left-out", LEFT_OUT_KEPT)
            return
        left_out = cache.get(f"{key}:left-out", 0)
        cache.delete(f"{key}:left-out")
        if _count(cache, "audit:failed:all", window) > settings.AUDIT_FAILED_CALL_MAX_PER_WINDOW:
            return
    except Exception:
        logger.warning("Could not count failed calls; recording this one", exc_info=True)
        left_out = 0
    path = request.path[:PATH_MAX]
    entry_record(
        EventEntry(
            action=AuditAction.API_CALL_FAILED,
            company_id=company_id,
            object_repr=f"{request.method} {path} answered {status}",
            data={
                "method": request.method,
                "path": path,
                "status": status,
                "similar_left_out_before": left_out,
            },
        )
    )
