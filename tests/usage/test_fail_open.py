"""With the counter store unreachable, requests are served (fail open) and the failure is
reported at most once a minute."""

import logging
from typing import Any

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from rest_framework.test import APIClient

from apps.usage import throttling
from apps.usage.counters import RedisCounterStore, counter_store
from tests.accounts.factories import PASSWORD, UserFactory
from tests.companies.factories import TrialCompanyFactory
from tests.conftest import client_for
from tests.usage.callers import CompanyCaller
from tests.usage.responses import RATE_LIMIT_HEADERS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("redis_down")]


@pytest.fixture
def sentry_reports(monkeypatch: pytest.MonkeyPatch) -> list[BaseException]:
    """What would have been sent to Sentry (the outbound call is stubbed)."""
    reports: list[BaseException] = []
    monkeypatch.setattr(throttling.sentry_sdk, "capture_exception", reports.append)
    return reports


def store_failure_logs(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "apps.usage.throttling"]


def test_requests_are_served_when_the_counter_store_is_unreachable(
    caplog: pytest.LogCaptureFixture, sentry_reports: list[BaseException]
) -> None:
    caller = CompanyCaller(TrialCompanyFactory())
    assert isinstance(counter_store(), RedisCounterStore)

    with caplog.at_level(logging.ERROR):
        responses = [
            *caller.get_company(times=3),
            caller.key_client.get("/api/company/"),
            client_for(UserFactory()).get("/api/auth/me/"),  # a user with no company
        ]

    assert [response.status_code for response in responses] == [200] * 5
    assert not any(header in response for response in responses for header in RATE_LIMIT_HEADERS)
    logged = store_failure_logs(caplog)
    assert len(logged) == 1
    assert logged[0].levelno == logging.ERROR
    assert "counter store unreachable" in logged[0].getMessage()
    assert len(sentry_reports) == 1
    assert isinstance(sentry_reports[0], RedisConnectionError)


def test_the_store_failure_is_reported_again_after_a_minute(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    sentry_reports: list[BaseException],
) -> None:
    caller = CompanyCaller(TrialCompanyFactory())
    caller.get_company(times=2)
    assert len(sentry_reports) == 1
    caplog.clear()

    # As if the last report were more than a minute ago.
    throttling.STORE_FAILURE_REPORTS.pretend_elapsed()
    with caplog.at_level(logging.ERROR):
        responses = caller.get_company(times=2)

    assert [response.status_code for response in responses] == [200, 200]
    assert len(sentry_reports) == 2
    assert len(store_failure_logs(caplog)) == 1


def test_nothing_else_breaks_while_the_counter_store_is_unreachable(
    api_client: APIClient, sentry_reports: list[BaseException]
) -> None:
    caller = CompanyCaller(TrialCompanyFactory())

    login = api_client.post(
        "/api/auth/login/", {"email": caller.admin.email, "password": PASSWORD}, format="json"
    )
    usage = caller.user_client.get("/api/usage/")
    plots = caller.key_client.get("/api/plots/")

    assert login.status_code == 200
    assert plots.status_code == 200
    assert usage.status_code == 200
    body: dict[str, Any] = usage.json()
    assert {name: body[name]["used"] for name in ("caller_hourly", "caller_daily")} == {
        "caller_hourly": 0,
        "caller_daily": 0,
    }
    assert (body["company_daily"]["used"], body["company_daily"]["limit"]) == (0, 1000)
    assert (body["caller_hourly"]["limit"], body["caller_daily"]["limit"]) == (100, 500)
    assert (body["month_to_date"], body["plots"], body["max_plots"]) == (0, 0, 100)
    # One failure report for the throttle; no 500 was reported anywhere.
    assert len(sentry_reports) == 1
