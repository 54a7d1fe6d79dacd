"""BENCH_AUDIT=off: each request runs inside auditlog's ``disable_auditlog()``; "on"
passes it through. For bench/audit_overhead.py only; the product has no such switch."""

import os
from collections.abc import Callable
from contextlib import nullcontext

from auditlog.context import disable_auditlog
from django.http import HttpRequest, HttpResponse

AUDIT_OFF = os.environ.get("BENCH_AUDIT", "on") == "off"


class AuditSwitchMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with disable_auditlog() if AUDIT_OFF else nullcontext():
            return self.get_response(request)
