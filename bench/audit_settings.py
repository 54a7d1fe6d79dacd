"""Settings for bench/audit_overhead.py's servers: the development settings (the
environment decides the database and Redis) with one switch in front: BENCH_AUDIT=off
makes every request run with django-auditlog disabled, the trail's only cost on a plot
PATCH. Both servers get the same middleware, so the switch is the only difference."""

from config.settings.local import *  # noqa: F403
from config.settings.local import MIDDLEWARE

MIDDLEWARE = ["bench.audit_switch.AuditSwitchMiddleware", *MIDDLEWARE]
