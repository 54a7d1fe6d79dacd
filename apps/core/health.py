"""Liveness and readiness probes for load balancers and orchestrators.

``/healthz`` answers as long as the process serves requests. ``/readyz`` checks what a
request needs: the database, the cache, when one is configured the Celery broker, and
when static files are served from collectstatic's manifest (production) that this
process has it. It answers 503 naming the failing parts, and logs each failing part
once a minute per process, not on every probe.
"""

import logging
import secrets
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from kombu import Connection

from apps.core.outage_log import OncePerInterval

logger = logging.getLogger(__name__)

PROBE_TIMEOUT_SECONDS = 2


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    token = secrets.token_hex(8)
    cache.set("readyz:probe", token, timeout=10)
    if cache.get("readyz:probe") != token:
        raise RuntimeError("cache did not return what was written")


def check_broker() -> None:
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=PROBE_TIMEOUT_SECONDS) as conn:
        conn.ensure_connection(max_retries=1, timeout=PROBE_TIMEOUT_SECONDS)


def check_static_manifest() -> None:
    # Read once per process, when static files are first used: a process that started
    # before collectstatic wrote the manifest answers every page that links a static file
    # (the admin, the API docs) with a 500, "Missing staticfiles manifest entry".
    if not staticfiles_storage.hashed_files:
        manifest = Path(settings.STATIC_ROOT or "", staticfiles_storage.manifest_name)
        raise RuntimeError(f"no static files manifest at {manifest}: run collectstatic")


def _serves_from_a_manifest() -> bool:
    backend = import_string(settings.STORAGES["staticfiles"]["BACKEND"])
    return issubclass(backend, ManifestFilesMixin)


def readiness_checks() -> dict[str, Callable[[], None]]:
    checks = {"database": check_database, "cache": check_cache}
    if settings.CELERY_BROKER_URL:
        checks["broker"] = check_broker
    if _serves_from_a_manifest():
        checks["static"] = check_static_manifest
    return checks


_failure_reports: dict[str, OncePerInterval] = defaultdict(OncePerInterval)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    results: dict[str, str] = {}
    for name, check in readiness_checks().items():
        try:
            check()
        except Exception as exc:
            if _failure_reports[name].due():
                logger.warning("Readiness check %s failed: %s", name, exc)
            results[name] = f"error: {type(exc).__name__}"
        else:
            results[name] = "ok"
    failing = [name for name, result in results.items() if result != "ok"]
    if failing:
        return JsonResponse(
            {"status": "unavailable", "failing": failing, "checks": results}, status=503
        )
    return JsonResponse({"status": "ok", "checks": results})
