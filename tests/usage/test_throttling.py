"""Per-company API rate limits: limits by tier, the throttle, headers, 429s, the daily-cap
event, exempt endpoints, and failing open when the counter store is down."""

import logging
import re
import time
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from redis.exceptions import ConnectionError as RedisConnectionError
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from apps.companies.limits import RateLimits, rate_limits_for
from apps.companies.models import SubscriptionStatus, Tier
from apps.usage import signals, throttling
from apps.usage.counters import RedisCounterStore, counter_store, window_for
from apps.usage.throttling import TenantRateThrottle
from tests.accounts.factories import PASSWORD, UserFactory
from tests.companies.factories import CompanyFactory, TrialCompanyFactory
from tests.companies.test_services import Captured
from tests.conftest import client_for
from tests.usage.callers import CompanyCaller

pytestmark = pytest.mark.django_db

RATE_LIMIT_HEADERS = (
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "RateLimit-Policy",
    "RateLimit",
)


def error_of(response: Any) -> dict[str, Any]:
    return response.json()["error"]


def policy_quotas(response: Any) -> dict[str, int]:
    """RateLimit-Policy as {policy name: quota}, checking each policy's window."""
    policies = re.findall(r'"(\w+)";q=(\d+);w=(\d+)', response["RateLimit-Policy"])
    assert {name: int(window) for name, _, window in policies} == {
        "hourly": 3600,
        "daily": 86400,
    }
    return {name: int(quota) for name, quota, _ in policies}


def remaining_by_policy(response: Any) -> dict[str, int]:
    """The RateLimit field as {policy name: remaining}."""
    return {
        name: int(remaining)
        for name, remaining in re.findall(r'"(\w+)";r=(\d+);t=\d+', response["RateLimit"])
    }


# --- where the throttle sits -----------------------------------------------------------------


def test_the_tenant_throttle_is_the_default_drf_throttle() -> None:
    default_throttles = api_settings.DEFAULT_THROTTLE_CLASSES

    assert default_throttles == [TenantRateThrottle]


def _api_view_classes(patterns: list, prefix: str = "") -> list[type]:
    views = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            views += _api_view_classes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and prefix.startswith("api/"):
            view_class = getattr(entry.callback, "cls", None) or getattr(
                entry.callback, "view_class", None
            )
            if view_class is not None:
                views.append(view_class)
    return views


def test_every_api_view_that_authenticates_keeps_the_tenant_throttle() -> None:
    views = _api_view_classes(get_resolver().url_patterns)
    authenticating = [view for view in views if view().get_authenticators()]

    assert authenticating, "the URL walk found no API views"
    unthrottled = [
        view.__name__
        for view in authenticating
        if not any(isinstance(throttle, TenantRateThrottle) for throttle in view().get_throttles())
    ]
    assert unthrottled == []


# --- limits by tier ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tier", "status", "override", "expected_hourly"),
    [
        (Tier.STARTER, SubscriptionStatus.ACTIVE, None, 100),
        (Tier.PROFESSIONAL, SubscriptionStatus.ACTIVE, None, 1_000),
        (Tier.ENTERPRISE, SubscriptionStatus.ACTIVE, None, 10_000),
        (Tier.ENTERPRISE, SubscriptionStatus.ACTIVE, 25_000, 25_000),
        # The override is an Enterprise term; on another tier it is ignored.
        (Tier.PROFESSIONAL, SubscriptionStatus.ACTIVE, 25_000, 1_000),
        # A trial gets Starter's limit whatever tier it is trying.
        (Tier.STARTER, SubscriptionStatus.TRIALING, None, 100),
        (Tier.PROFESSIONAL, SubscriptionStatus.TRIALING, None, 100),
        (Tier.ENTERPRISE, SubscriptionStatus.TRIALING, 25_000, 100),
    ],
)
def test_hourly_limit_by_tier(
    tier: str, status: str, override: int | None, expected_hourly: int
) -> None:
    company = CompanyFactory(
        subscription_tier=tier,
        subscription_status=status,
        api_hourly_limit_override=override,
        max_api_calls_daily=500,
    )

    assert rate_limits_for(company) == RateLimits(hourly=expected_hourly, daily=500)


def test_the_daily_cap_is_the_companys_own_and_a_trial_stays_within_starters() -> None:
    paying = CompanyFactory(subscription_tier=Tier.STARTER, max_api_calls_daily=5_000)
    trial = TrialCompanyFactory(max_api_calls_daily=5_000)

    assert rate_limits_for(paying).daily == 5_000
    assert rate_limits_for(trial) == RateLimits(hourly=100, daily=1_000)


@pytest.mark.parametrize(
    ("company_fields", "hourly", "daily"),
    [
        ({"subscription_tier": Tier.STARTER, "max_api_calls_daily": 1_000}, 100, 1_000),
        ({"subscription_tier": Tier.PROFESSIONAL, "max_api_calls_daily": 10_000}, 1_000, 10_000),
        ({"subscription_tier": Tier.ENTERPRISE, "max_api_calls_daily": 100_000}, 10_000, 100_000),
        (
            {
                "subscription_tier": Tier.ENTERPRISE,
                "max_api_calls_daily": 100_000,
                "api_hourly_limit_override": 40_000,
            },
            40_000,
            100_000,
        ),
    ],
)
@pytest.mark.parametrize("credential", ["user_token", "api_key"])
def test_the_api_applies_the_companys_limits(
    company_fields: dict[str, Any], hourly: int, daily: int, credential: str
) -> None:
    caller = CompanyCaller(CompanyFactory(**company_fields))
    client = caller.user_client if credential == "user_token" else caller.key_client

    response = client.get("/api/company/")

    assert response.status_code == 200
    assert policy_quotas(response) == {"hourly": hourly, "daily": daily}
    assert remaining_by_policy(response) == {"hourly": hourly - 1, "daily": daily - 1}


# --- headers ----------------------------------------------------------------------------------


def test_responses_carry_the_rate_limit_headers(trial_caller: CompanyCaller) -> None:
    before = int(time.time())
    responses = trial_caller.get_company(times=3)
    after = int(time.time())

    third = responses[-1]
    assert third.status_code == 200
    assert third["X-RateLimit-Limit"] == "100"
    assert third["X-RateLimit-Remaining"] == "97"
    reset = int(third["X-RateLimit-Reset"])
    assert before < reset <= after + 3600
    assert reset % 3600 == 0  # the top of an hour (Lagos is a whole hour from UTC)
    assert third["RateLimit-Policy"] == '"hourly";q=100;w=3600, "daily";q=1000;w=86400'
    assert remaining_by_policy(third) == {"hourly": 97, "daily": 997}
    seconds_to_reset = dict(re.findall(r'"(\w+)";r=\d+;t=(\d+)', third["RateLimit"]))
    assert 0 < int(seconds_to_reset["hourly"]) <= 3600
    assert 0 < int(seconds_to_reset["daily"]) <= 86400
    assert [response["X-RateLimit-Remaining"] for response in responses] == ["99", "98", "97"]


@pytest.mark.parametrize(
    ("method", "path", "expected_status"),
    [
        ("get", "/api/usage/", 200),
        ("get", "/api/plots/", 200),
        ("get", "/api/plots/987654/", 404),
        ("patch", "/api/company/", 400),
        ("get", "/api/auth/me/", 200),
    ],
)
def test_every_response_counted_for_the_company_has_the_headers(
    trial_caller: CompanyCaller, method: str, path: str, expected_status: int
) -> None:
    response = getattr(trial_caller.user_client, method)(
        path, {"name": ""} if method == "patch" else None, format="json"
    )

    assert response.status_code == expected_status
    assert all(header in response for header in RATE_LIMIT_HEADERS)
    assert response["X-RateLimit-Remaining"] == "99"


def test_requests_without_a_company_are_not_counted_and_have_no_headers(
    api_client: APIClient,
) -> None:
    loner = UserFactory()  # signed in, but no company
    login = api_client.post(
        "/api/auth/login/", {"email": loner.email, "password": PASSWORD}, format="json"
    )
    me = client_for(loner).get("/api/auth/me/")
    plans = api_client.get("/api/plans/")

    for response in (login, me, plans):
        assert response.status_code == 200
        assert not any(header in response for header in RATE_LIMIT_HEADERS)


def test_user_token_and_api_key_share_one_budget(trial_caller: CompanyCaller) -> None:
    trial_caller.user_client.get("/api/company/")
    trial_caller.user_client.get("/api/company/")

    by_key = trial_caller.key_client.get("/api/company/")
    by_token = trial_caller.user_client.get("/api/company/")

    assert by_key["X-RateLimit-Remaining"] == "97"
    assert by_token["X-RateLimit-Remaining"] == "96"


def test_one_companys_requests_do_not_use_anothers_budget(trial_caller: CompanyCaller) -> None:
    trial_caller.get_company(times=5)
    other = CompanyCaller(TrialCompanyFactory())

    response = other.user_client.get("/api/company/")

    assert response["X-RateLimit-Remaining"] == "99"


# --- refusals -----------------------------------------------------------------------------------


def test_the_hourly_limit_refuses_the_101st_request(trial_caller: CompanyCaller) -> None:
    admitted = trial_caller.get_company(times=100)
    assert [response.status_code for response in admitted] == [200] * 100
    assert admitted[-1]["X-RateLimit-Remaining"] == "0"

    refused = trial_caller.get_company()[0]
    by_key = trial_caller.key_client.get("/api/company/")

    assert refused.status_code == 429
    error = error_of(refused)
    assert error["code"] == "rate_limited"
    assert "hourly limit of 100" in error["message"]
    retry_after = int(refused["Retry-After"])
    assert 0 < retry_after <= 3600
    assert error["details"] == {"limit": "hourly", "limit_value": 100, "retry_after": retry_after}
    assert refused["X-RateLimit-Limit"] == "100"
    assert refused["X-RateLimit-Remaining"] == "0"
    assert int(refused["X-RateLimit-Reset"]) % 3600 == 0
    # The API key is the same company: refused too.
    assert by_key.status_code == 429
    assert error_of(by_key)["details"]["limit"] == "hourly"


def test_the_daily_cap_refuses_past_max_api_calls_daily() -> None:
    caller = CompanyCaller(CompanyFactory(max_api_calls_daily=5))

    admitted = caller.get_company(times=5)
    refused = caller.get_company()[0]

    assert [response.status_code for response in admitted] == [200] * 5
    assert refused.status_code == 429
    error = error_of(refused)
    assert error["code"] == "rate_limited"
    assert "daily limit of 5" in error["message"]
    retry_after = int(refused["Retry-After"])
    assert 0 < retry_after <= 86400
    assert error["details"] == {"limit": "daily", "limit_value": 5, "retry_after": retry_after}
    # The daily window is the tighter one now: the headers describe it.
    assert refused["X-RateLimit-Limit"] == "5"
    assert refused["X-RateLimit-Remaining"] == "0"
    midnight_in_lagos = 23 * 3600  # 00:00 WAT is 23:00 UTC
    assert int(refused["X-RateLimit-Reset"]) % 86400 == midnight_in_lagos
    assert admitted[-1]["X-RateLimit-Limit"] == "5"
    assert admitted[-1]["X-RateLimit-Remaining"] == "0"


def test_refused_by_the_hour_with_the_day_used_up_waits_until_midnight() -> None:
    caller = CompanyCaller(TrialCompanyFactory(max_api_calls_daily=100))  # 100/h and 100/day

    assert [r.status_code for r in caller.get_company(times=100)] == [200] * 100
    refused = caller.get_company()[0]

    assert refused.status_code == 429
    assert error_of(refused)["details"]["limit"] == "hourly"
    window = window_for(caller.company.pk)
    until_midnight = (window.day_resets_at - timezone.now()).total_seconds()
    assert abs(int(refused["Retry-After"]) - until_midnight) <= 2
    # The headers describe the same binding window: the day's.
    assert refused["X-RateLimit-Limit"] == "100"
    assert refused["X-RateLimit-Remaining"] == "0"
    assert int(refused["X-RateLimit-Reset"]) == int(window.day_resets_at.timestamp())


def test_crossing_the_daily_cap_publishes_api_limit_exceeded_once(
    django_capture_on_commit_callbacks: Any,
) -> None:
    company = CompanyFactory(max_api_calls_daily=5)
    caller = CompanyCaller(company)

    with (
        Captured(signals.api_limit_exceeded) as exceeded,
        django_capture_on_commit_callbacks(execute=True),
    ):
        caller.get_company(times=5)
        assert exceeded.events == []  # at the cap, not over it

        first_refusal = caller.get_company()[0]
        second_refusal = caller.key_client.get("/api/company/")

    assert (first_refusal.status_code, second_refusal.status_code) == (429, 429)
    assert exceeded.events == [
        {"company_id": company.pk, "day": timezone.localdate(), "daily_limit": 5}
    ]


def test_hitting_the_hourly_limit_publishes_no_event(
    trial_caller: CompanyCaller, django_capture_on_commit_callbacks: Any
) -> None:
    with (
        Captured(signals.api_limit_exceeded) as exceeded,
        django_capture_on_commit_callbacks(execute=True),
    ):
        responses = trial_caller.get_company(times=102)

    assert responses[-1].status_code == 429
    assert exceeded.events == []


# --- exempt endpoints ------------------------------------------------------------------------


def test_health_endpoints_are_never_limited(trial_caller: CompanyCaller, settings: Any) -> None:
    settings.CELERY_BROKER_URL = ""  # /readyz checks a broker only when one is configured
    trial_caller.get_company(times=101)
    assert trial_caller.get_company()[0].status_code == 429

    health = [trial_caller.user_client.get("/healthz") for _ in range(110)]
    ready = [trial_caller.key_client.get("/readyz") for _ in range(3)]

    assert {response.status_code for response in health + ready} == {200}
    assert not any(
        header in response for response in health + ready for header in RATE_LIMIT_HEADERS
    )


# --- the counter store unreachable ----------------------------------------------------------------


@pytest.fixture
def sentry_reports(monkeypatch: pytest.MonkeyPatch) -> list[BaseException]:
    """What would have been sent to Sentry (the outbound call is stubbed)."""
    reports: list[BaseException] = []
    monkeypatch.setattr(throttling.sentry_sdk, "capture_exception", reports.append)
    return reports


def store_failure_logs(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "apps.usage.throttling"]


@pytest.mark.usefixtures("redis_down")
def test_requests_are_served_when_the_counter_store_is_unreachable(
    caplog: pytest.LogCaptureFixture, sentry_reports: list[BaseException]
) -> None:
    caller = CompanyCaller(TrialCompanyFactory())
    assert isinstance(counter_store(), RedisCounterStore)

    with caplog.at_level(logging.ERROR):
        responses = [*caller.get_company(times=3), caller.key_client.get("/api/company/")]

    assert [response.status_code for response in responses] == [200] * 4
    assert not any(header in responses[0] for header in RATE_LIMIT_HEADERS)
    logged = store_failure_logs(caplog)
    assert len(logged) == 1
    assert logged[0].levelno == logging.ERROR
    assert "counter store unreachable" in logged[0].getMessage()
    assert len(sentry_reports) == 1
    assert isinstance(sentry_reports[0], RedisConnectionError)


@pytest.mark.usefixtures("redis_down")
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
    monkeypatch.setattr(
        throttling,
        "_last_failure_report",
        time.monotonic() - throttling.FAILURE_REPORT_INTERVAL - 1,
    )
    with caplog.at_level(logging.ERROR):
        responses = caller.get_company(times=2)

    assert [response.status_code for response in responses] == [200, 200]
    assert len(sentry_reports) == 2
    assert len(store_failure_logs(caplog)) == 1


@pytest.mark.usefixtures("redis_down")
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
    assert usage.json() | {"hourly_resets_at": None, "daily_resets_at": None} == {
        "hourly_used": 0,
        "hourly_limit": 100,
        "hourly_resets_at": None,
        "daily_used": 0,
        "daily_limit": 1000,
        "daily_resets_at": None,
        "month_to_date": 0,
        "plots": 0,
        "max_plots": 100,
    }
    # One failure report for the throttle; no 500 was reported anywhere.
    assert len(sentry_reports) == 1


# --- on real Redis, end to end ---------------------------------------------------------------


@pytest.mark.redis
@pytest.mark.usefixtures("redis_counters")
def test_the_hourly_limit_through_the_api_on_redis(trial_caller: CompanyCaller) -> None:
    admitted = trial_caller.get_company(times=100)
    refused = trial_caller.key_client.get("/api/company/")

    assert isinstance(counter_store(), RedisCounterStore)
    assert [response.status_code for response in admitted] == [200] * 100
    assert [response["X-RateLimit-Remaining"] for response in admitted[:3]] == ["99", "98", "97"]
    assert refused.status_code == 429
    assert error_of(refused)["details"]["limit"] == "hourly"
    assert 0 < int(refused["Retry-After"]) <= 3600


def test_the_daily_cap_event_fires_once_even_if_the_cap_changes_that_day(
    django_capture_on_commit_callbacks: Any,
) -> None:
    company = CompanyFactory(max_api_calls_daily=3)
    caller = CompanyCaller(company)
    with (
        Captured(signals.api_limit_exceeded) as exceeded,
        django_capture_on_commit_callbacks(execute=True),
    ):
        caller.get_company(times=4)  # the 4th is the first refusal
        company.max_api_calls_daily = 5
        company.save()
        caller.get_company(times=3)  # 5th admitted, 6th refused at 5 + 1: no second event
        company.max_api_calls_daily = 2
        company.save()
        caller.get_company(times=2)  # refused again, counts never equal the cap + 1
    assert [event["company_id"] for event in exceeded.events] == [company.pk]
