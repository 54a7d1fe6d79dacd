"""Shared fixtures, and the service markers.

Tests marked ``postgres`` or ``redis`` need the real service (DATABASE_URL pointing at
PostgreSQL, REDIS_URL set and reachable); ``browser`` needs Playwright and the system's
Chromium. Without it they are skipped with the reason;
with REQUIRE_SERVICES=1 (CI) a missing service fails them instead.
"""

import os
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pytest
from celery._state import _set_task_join_will_block, task_join_will_block
from django.conf import settings
from django.core.cache import caches
from rest_framework.test import APIClient

from apps.companies.auth_snapshot import forget_recent_entries
from apps.core.fallback_cache import forget_redis_failures
from apps.core.outage_log import forget_outage_reports
from tests.accounts.factories import UserFactory
from tests.companies.factories import CompanyFactory, MembershipFactory
from tests.events import EventRecorder

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def _postgres_available() -> tuple[bool, str]:
    engine = settings.DATABASES["default"]["ENGINE"]
    return engine.endswith("postgresql"), f"needs PostgreSQL; DATABASE_URL uses {engine}"


def _redis_available() -> tuple[bool, str]:
    if not settings.REDIS_URL:
        return False, "needs Redis; REDIS_URL is not set"
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        return False, f"needs Redis; {settings.REDIS_URL} is unreachable ({exc})"
    return True, ""


def chromium_path() -> str | None:
    """The system's Chromium (CHROMIUM_PATH, else chromium on the PATH): never a browser
    that Playwright downloads."""
    import shutil

    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")


def _browser_available() -> tuple[bool, str]:
    from importlib.util import find_spec

    if find_spec("playwright") is None:
        return False, "needs the playwright package (pip install -e '.[dev]')"
    if chromium_path() is None:
        return False, "needs Chromium (apt-get install chromium, or set CHROMIUM_PATH)"
    return True, ""


SERVICE_CHECKS: dict[str, Callable[[], tuple[bool, str]]] = {
    "postgres": _postgres_available,
    "redis": _redis_available,
    "browser": _browser_available,
}


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker, check in SERVICE_CHECKS.items():
        if item.get_closest_marker(marker) is None:
            continue
        available, reason = check()
        if not available:
            if REQUIRE_SERVICES:
                pytest.fail(f"{reason} (REQUIRE_SERVICES=1 makes this mandatory)")
            pytest.skip(reason)


@pytest.fixture(autouse=True)
def _celery_join_flag_kept() -> Iterator[None]:
    # Eager tasks running at once in several threads (racing deliveries whose processing
    # sends notifications, invitation emails) can leave Celery's process-wide "inside a
    # task" flag set, as each restores the value it saw; a later test's result.get()
    # would then refuse to run.
    before = task_join_will_block()
    yield
    _set_task_join_will_block(before)


@pytest.fixture(autouse=True)
def _clean_cache() -> None:
    # Every alias: the login limits count in their own ("limits", config/caches.py).
    for alias in settings.CACHES:
        caches[alias].clear()
    forget_redis_failures()
    forget_outage_reports()
    forget_recent_entries()


@pytest.fixture
def plan_catalogue(db: Any) -> None:
    """The plans the data migration creates, for transactional tests (whose flushes drop them)."""
    from importlib import import_module

    from apps.companies.models import Plan

    allowances = import_module(
        "apps.companies.migrations.0006_plan_allowance_and_subscription_history"
    ).INCLUDED_API_CALLS
    for plan in import_module("apps.companies.migrations.0002_plan_catalogue").PLANS:
        Plan.objects.update_or_create(
            code=plan["code"],
            defaults={**plan, "included_api_calls": allowances[plan["code"]]},
        )


@pytest.fixture
def events() -> Iterator[EventRecorder]:
    """Every domain event sent during the test (see tests/events.py)."""
    with EventRecorder().connected() as recorder:
        yield recorder


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Any) -> Any:
    """``with commit(): ...`` runs the block's on-commit callbacks (the events) at its end."""
    return partial(django_capture_on_commit_callbacks, execute=True)


@pytest.fixture
def plans_cached(db: Any) -> None:
    """The plan catalogue freshly loaded into this process's cache (it lives 60 s), so a
    test counting queries never counts the reload in one request and not another."""
    from apps.companies.limits import forget_plan_limits, rate_limits_for
    from tests.companies.factories import CompanyFactory

    forget_plan_limits()
    rate_limits_for(CompanyFactory.build())


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def client_for(user: Any, company_id: int | None = None) -> APIClient:
    """An API client signed in as ``user`` (with a real JWT), acting for ``company_id``."""
    from apps.accounts.services import issue_token_pair

    headers = {"HTTP_AUTHORIZATION": f"Bearer {issue_token_pair(user).access}"}
    if company_id is not None:
        headers["HTTP_X_COMPANY_ID"] = str(company_id)
    client = APIClient()
    client.credentials(**headers)
    return client


@pytest.fixture
def company(db: Any) -> Any:
    return CompanyFactory()


@pytest.fixture
def admin_user(company: Any) -> Any:
    return MembershipFactory(company=company, role="company_admin").user


@pytest.fixture
def admin_client(admin_user: Any) -> APIClient:
    return client_for(admin_user)


@pytest.fixture
def user(db: Any) -> Any:
    return UserFactory()
