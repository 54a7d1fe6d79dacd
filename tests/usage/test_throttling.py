"""API rate limits per caller: limits by tier, each user and API key with its own hour and
share of the company's day, the company's shared daily cap, users with no company, 429s,
the daily-cap event and exempt endpoints."""

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.test import APIClient, APIRequestFactory

from apps.companies.authentication import TenantJWTAuthentication
from apps.companies.limits import RateLimits, rate_limits_for
from apps.companies.models import SubscriptionStatus, Tier
from apps.usage.counters import RedisCounterStore, counter_store, user_window
from apps.usage.throttling import TenantRateThrottle
from tests.accounts.factories import PASSWORD, UserFactory
from tests.companies.factories import CompanyFactory, MembershipFactory, TrialCompanyFactory
from tests.conftest import client_for
from tests.events import EventRecorder
from tests.usage.callers import CompanyCaller, get_company
from tests.usage.responses import (
    RATE_LIMIT_HEADERS,
    error_of,
    policy_quotas,
    remaining_by_policy,
)

pytestmark = pytest.mark.django_db


def statuses(responses: list[Any]) -> list[int]:
    return [response.status_code for response in responses]


def seconds_until_midnight() -> float:
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight + timedelta(days=1) - timezone.now()).total_seconds()


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


def _authenticated_request(user: Any) -> Request:
    token = client_for(user)._credentials["HTTP_AUTHORIZATION"]
    request = Request(
        APIRequestFactory().get("/api/company/", HTTP_AUTHORIZATION=token),
        authenticators=[TenantJWTAuthentication()],
    )
    request.user  # noqa: B018 - authenticate and resolve the tenant, as DRF does first
    return request


@pytest.mark.usefixtures("local_counters")
def test_the_throttle_runs_no_database_query(trial_caller: CompanyCaller) -> None:
    admin = _authenticated_request(trial_caller.admin)
    marketer = _authenticated_request(
        MembershipFactory(company=trial_caller.company, role="marketer").user
    )
    loner = _authenticated_request(UserFactory())

    with CaptureQueriesContext(connection) as queries:
        allowed = [
            TenantRateThrottle().allow_request(request, None)
            for request in (admin, marketer, loner)
        ]

    assert allowed == [True, True, True]
    assert queries.captured_queries == []
    assert admin._request.rate_limit.policy("company-daily").remaining == 999
    assert marketer._request.rate_limit.policy("members-daily").remaining == 499
    assert marketer._request.rate_limit.policy("company-daily").remaining == 998
    assert loner._request.rate_limit.policy("caller-hourly").remaining == 299


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
def test_the_api_applies_the_companys_limits_to_each_caller(
    company_fields: dict[str, Any], hourly: int, daily: int, credential: str
) -> None:
    caller = CompanyCaller(CompanyFactory(**company_fields))
    client = caller.user_client if credential == "user_token" else caller.key_client

    response = client.get("/api/company/")

    assert response.status_code == 200
    assert policy_quotas(response) == {
        "caller-hourly": hourly,
        "caller-daily": daily // 2,
        "company-daily": daily,
    }
    assert remaining_by_policy(response) == {
        "caller-hourly": hourly - 1,
        "caller-daily": daily // 2 - 1,
        "company-daily": daily - 1,
    }


def test_the_daily_share_comes_from_the_setting(settings: Any) -> None:
    settings.API_CALLER_DAILY_SHARE = "0.25"
    caller = CompanyCaller(CompanyFactory(max_api_calls_daily=1_000))

    response = caller.key_client.get("/api/company/")

    assert policy_quotas(response)["caller-daily"] == 250


# --- one member cannot lock the company out -----------------------------------------------------


def test_one_member_using_up_their_hour_leaves_the_admins_and_keys_theirs(
    trial_caller: CompanyCaller,
) -> None:
    marketer = trial_caller.another_member(role="marketer")

    marketers_hour = get_company(marketer, times=100)
    refused = marketer.get("/api/company/")
    admin = trial_caller.user_client.get("/api/company/")
    by_key = trial_caller.key_client.get("/api/company/")
    another_key = trial_caller.another_key().get("/api/company/")

    assert statuses(marketers_hour) == [200] * 100
    assert refused.status_code == 429
    assert error_of(refused)["details"]["limit"] == "caller-hourly"
    assert statuses([admin, by_key, another_key]) == [200, 200, 200]
    assert remaining_by_policy(admin) == {
        "caller-hourly": 99,
        "caller-daily": 499,
        "company-daily": 1000 - 101,
    }
    assert remaining_by_policy(another_key)["caller-hourly"] == 99


def test_one_caller_cannot_use_more_than_its_share_of_the_day() -> None:
    # Professional: 1,000 an hour each; the company's 10 a day, 5 of them per admin.
    caller = CompanyCaller(CompanyFactory(max_api_calls_daily=10))
    other_admin = caller.another_member(role="company_admin")

    other_admins_share = get_company(other_admin, times=5)
    refused = other_admin.get("/api/company/")
    admins = caller.get_company(times=5)

    assert statuses(other_admins_share) == [200] * 5
    assert refused.status_code == 429
    assert statuses(admins) == [200] * 5
    assert remaining_by_policy(admins[-1]) == {
        "caller-hourly": 995,
        "caller-daily": 0,
        "company-daily": 0,
    }


def test_the_company_daily_cap_is_shared_by_every_caller() -> None:
    caller = CompanyCaller(CompanyFactory(max_api_calls_daily=5))  # 2 each
    admitted = [
        *caller.get_company(times=2),
        *get_company(caller.key_client, times=2),
        caller.another_member().get("/api/company/"),
    ]

    refused = [
        caller.another_key().get("/api/company/"),
        caller.another_member().get("/api/company/"),
    ]

    assert statuses(admitted) == [200] * 5
    assert remaining_by_policy(admitted[-1])["company-daily"] == 0
    assert statuses(refused) == [429, 429]
    assert {error_of(response)["details"]["limit"] for response in refused} == {"company-daily"}


def test_one_companys_requests_do_not_use_anothers_budget(trial_caller: CompanyCaller) -> None:
    trial_caller.get_company(times=5)
    other = CompanyCaller(TrialCompanyFactory())

    response = other.user_client.get("/api/company/")

    assert remaining_by_policy(response) == {
        "caller-hourly": 99,
        "caller-daily": 499,
        "company-daily": 999,
    }


def test_a_member_of_two_companies_has_an_hour_in_each(trial_caller: CompanyCaller) -> None:
    other = CompanyFactory()
    MembershipFactory(company=other, user=trial_caller.admin, role="marketer")
    trial_caller.get_company(times=100)

    as_other = client_for(trial_caller.admin, company_id=other.pk).get("/api/company/")

    assert trial_caller.get_company()[0].status_code == 429
    assert as_other.status_code == 200
    assert remaining_by_policy(as_other)["caller-hourly"] == 999


# --- marketers and clients cannot lock the admins out ------------------------------------------


def test_a_client_and_a_marketer_can_no_longer_use_up_the_admins_day(settings: Any) -> None:
    """The reported sequence: each caller's share 5 of a cap of 10; a client used 5, a
    marketer 4, and the admins were refused until midnight."""
    settings.API_MEMBER_CALLER_DAILY_SHARE = "0.5"  # as reported: 5 each, members too
    caller = CompanyCaller(CompanyFactory(max_api_calls_daily=10))
    client1 = caller.another_member(role="client")
    marketer1 = caller.another_member(role="marketer")

    clients = get_company(client1, times=6)
    # Bracketed by the clock before and after: on a loaded machine the requests take time.
    until_midnight_before = seconds_until_midnight()
    marketers = get_company(marketer1, times=4)
    until_midnight_after = seconds_until_midnight()
    admins = caller.get_company(times=3)
    by_key = get_company(caller.key_client, times=2)

    assert statuses(clients) == [200] * 5 + [429]
    assert error_of(clients[-1])["details"]["limit"] == "caller-daily"
    assert statuses(marketers) == [429] * 4
    refusal = error_of(marketers[0])
    assert refusal["message"] == (
        "The share of the company's daily API requests that its marketers and clients may "
        "use together (5 of 10) is used up."
    )
    retry_after = int(marketers[0]["Retry-After"])
    assert until_midnight_after - 1 <= retry_after <= until_midnight_before + 1
    assert refusal["details"] == {
        "limit": "members-daily",
        "limit_value": 5,
        "retry_after": retry_after,
    }
    # The other half of the day is the admins' and the keys'.
    assert statuses(admins + by_key) == [200] * 5
    assert remaining_by_policy(by_key[-1]) == {
        "caller-hourly": 998,
        "caller-daily": 3,
        "company-daily": 0,
    }


def test_each_marketer_or_client_gets_a_tenth_and_all_of_them_half_of_the_day() -> None:
    # Professional: 1,000 an hour each; 20 a day: 2 per marketer or client, 10 for all of
    # them together, 10 per admin or key.
    caller = CompanyCaller(CompanyFactory(max_api_calls_daily=20))
    members = [caller.another_member(role=role) for role in ("client", "marketer") * 3]

    first = get_company(members[0], times=3)
    others = [response for member in members[1:5] for response in get_company(member, times=2)]
    sixth = members[5].get("/api/company/")
    admins = caller.get_company(times=11)

    assert statuses(first) == [200, 200, 429]
    assert error_of(first[-1])["details"] == {
        "limit": "caller-daily",
        "limit_value": 2,
        "retry_after": int(first[-1]["Retry-After"]),
    }
    assert error_of(first[-1])["message"] == (
        "Your share of the company's daily API requests (2 of 20) is used up."
    )
    assert statuses(others) == [200] * 8
    assert remaining_by_policy(others[-1]) == {
        "caller-hourly": 998,
        "caller-daily": 0,
        "members-daily": 0,
        "company-daily": 10,
    }
    assert sixth.status_code == 429
    assert error_of(sixth)["details"]["limit"] == "members-daily"
    assert statuses(admins) == [200] * 10 + [429]
    assert error_of(admins[-1])["details"]["limit"] == "caller-daily"
    assert caller.key_client.get("/api/company/").status_code == 429  # the day is used up


def test_admins_and_api_keys_are_not_counted_in_the_members_share() -> None:
    caller = CompanyCaller(CompanyFactory(max_api_calls_daily=100))
    caller.get_company(times=3)
    get_company(caller.key_client, times=2)
    marketer = caller.another_member(role="marketer")

    by_marketer = marketer.get("/api/company/")
    by_key = caller.key_client.get("/api/company/")

    assert policy_quotas(by_marketer) == {
        "caller-hourly": 1_000,
        "caller-daily": 10,
        "members-daily": 50,
        "company-daily": 100,
    }
    assert remaining_by_policy(by_marketer) == {
        "caller-hourly": 999,
        "caller-daily": 9,
        "members-daily": 49,
        "company-daily": 94,
    }
    assert policy_quotas(by_key) == {
        "caller-hourly": 1_000,
        "caller-daily": 50,
        "company-daily": 100,
    }


def test_the_members_shares_come_from_the_settings(settings: Any) -> None:
    settings.API_MEMBER_CALLER_DAILY_SHARE = "0.05"
    settings.API_MEMBERS_DAILY_SHARE = "0.3"
    caller = CompanyCaller(CompanyFactory(max_api_calls_daily=1_000))

    response = caller.another_member(role="client").get("/api/company/")

    assert policy_quotas(response)["caller-daily"] == 50
    assert policy_quotas(response)["members-daily"] == 300


# --- users with no company ------------------------------------------------------------------


def test_a_user_with_no_company_is_limited_per_user(settings: Any) -> None:
    settings.API_NO_COMPANY_HOURLY_LIMIT = 3
    loner, another_loner = client_for(UserFactory()), client_for(UserFactory())

    admitted = [loner.get("/api/auth/me/") for _ in range(3)]
    refused = loner.get("/api/marketer/affiliations/")
    another = another_loner.get("/api/auth/me/")

    assert statuses(admitted) == [200] * 3
    assert [response["X-RateLimit-Remaining"] for response in admitted] == ["2", "1", "0"]
    assert refused.status_code == 429
    error = error_of(refused)
    assert error["code"] == "rate_limited"
    assert error["message"] == "Your hourly limit of 3 API requests is used up."
    retry_after = int(refused["Retry-After"])
    assert 0 < retry_after <= 3600
    assert error["details"] == {
        "limit": "caller-hourly",
        "limit_value": 3,
        "retry_after": retry_after,
    }
    assert another.status_code == 200


def test_a_user_with_no_company_gets_300_an_hour_and_only_that_policy() -> None:
    response = client_for(UserFactory()).get("/api/auth/me/")

    assert response.status_code == 200
    assert policy_quotas(response) == {"caller-hourly": 300}
    assert remaining_by_policy(response) == {"caller-hourly": 299}
    assert response["X-RateLimit-Limit"] == "300"


def test_anonymous_requests_are_not_counted_and_have_no_headers(api_client: APIClient) -> None:
    loner = UserFactory()
    login = api_client.post(
        "/api/auth/login/", {"email": loner.email, "password": PASSWORD}, format="json"
    )
    plans = api_client.get("/api/plans/")
    anonymous = api_client.get("/api/company/")

    assert statuses([login, plans, anonymous]) == [200, 200, 401]
    for response in (login, plans, anonymous):
        assert not any(header in response for header in RATE_LIMIT_HEADERS)


# --- refusals -----------------------------------------------------------------------------------


def test_the_hourly_limit_refuses_a_callers_101st_request(trial_caller: CompanyCaller) -> None:
    admitted = trial_caller.get_company(times=100)
    assert statuses(admitted) == [200] * 100
    assert admitted[-1]["X-RateLimit-Remaining"] == "0"

    refused = trial_caller.get_company()[0]

    assert refused.status_code == 429
    error = error_of(refused)
    assert error["code"] == "rate_limited"
    assert error["message"] == "Your hourly limit of 100 API requests is used up."
    retry_after = int(refused["Retry-After"])
    assert 0 < retry_after <= 3600
    assert error["details"] == {
        "limit": "caller-hourly",
        "limit_value": 100,
        "retry_after": retry_after,
    }
    assert refused["X-RateLimit-Limit"] == "100"
    assert refused["X-RateLimit-Remaining"] == "0"
    assert int(refused["X-RateLimit-Reset"]) % 3600 == 0


def test_the_daily_share_refuses_with_a_wait_until_midnight() -> None:
    caller = CompanyCaller(CompanyFactory(max_api_calls_daily=10))

    caller.get_company(times=5)
    refused = caller.get_company()[0]

    assert refused.status_code == 429
    error = error_of(refused)
    assert error["message"] == (
        "Your share of the company's daily API requests (5 of 10) is used up."
    )
    retry_after = int(refused["Retry-After"])
    assert abs(retry_after - seconds_until_midnight()) <= 2
    assert error["details"] == {
        "limit": "caller-daily",
        "limit_value": 5,
        "retry_after": retry_after,
    }
    assert refused["X-RateLimit-Limit"] == "5"
    assert refused["X-RateLimit-Remaining"] == "0"
    midnight_in_lagos = 23 * 3600  # 00:00 WAT is 23:00 UTC
    assert int(refused["X-RateLimit-Reset"]) % 86400 == midnight_in_lagos


def test_the_company_daily_cap_refuses_past_max_api_calls_daily() -> None:
    caller = CompanyCaller(CompanyFactory(max_api_calls_daily=4))  # 2 each
    caller.get_company(times=2)
    get_company(caller.key_client, times=2)

    refused = caller.another_member().get("/api/company/")

    assert refused.status_code == 429
    error = error_of(refused)
    assert error["message"] == "The company's daily limit of 4 API requests is used up."
    retry_after = int(refused["Retry-After"])
    assert abs(retry_after - seconds_until_midnight()) <= 2
    assert error["details"] == {
        "limit": "company-daily",
        "limit_value": 4,
        "retry_after": retry_after,
    }
    assert refused["X-RateLimit-Limit"] == "4"
    assert refused["X-RateLimit-Remaining"] == "0"


def test_refused_by_the_hour_with_the_day_used_up_waits_until_midnight() -> None:
    # 100 an hour, and a share of 100 of the company's 200 a day: the 100th request
    # uses up the caller's hour and their day at once.
    caller = CompanyCaller(TrialCompanyFactory(max_api_calls_daily=200))

    assert statuses(caller.get_company(times=100)) == [200] * 100
    refused = caller.get_company()[0]

    assert refused.status_code == 429
    assert error_of(refused)["details"]["limit"] == "caller-hourly"
    assert abs(int(refused["Retry-After"]) - seconds_until_midnight()) <= 2
    assert error_of(refused)["details"]["retry_after"] == int(refused["Retry-After"])
    # The headers describe the same binding window: the caller's day.
    assert refused["X-RateLimit-Limit"] == "100"
    assert refused["X-RateLimit-Remaining"] == "0"
    assert int(refused["X-RateLimit-Reset"]) % 86400 == 23 * 3600


# --- the daily-cap event ------------------------------------------------------------------------


def test_the_first_refusal_by_the_company_cap_publishes_api_limit_exceeded_once(
    django_capture_on_commit_callbacks: Any, events: EventRecorder
) -> None:
    company = CompanyFactory(max_api_calls_daily=4)  # 2 each
    caller = CompanyCaller(company)

    with django_capture_on_commit_callbacks(execute=True):
        caller.get_company(times=2)
        by_share = caller.get_company()[0]
        get_company(caller.key_client, times=2)
        assert events.named("api_limit_exceeded") == []  # at the cap; refused once, by a share only

        first_refusal = caller.another_member().get("/api/company/")
        second_refusal = caller.another_key().get("/api/company/")

    assert statuses([by_share, first_refusal, second_refusal]) == [429, 429, 429]
    assert error_of(by_share)["details"]["limit"] == "caller-daily"
    assert error_of(first_refusal)["details"]["limit"] == "company-daily"
    assert events.named("api_limit_exceeded") == [
        {"company_id": company.pk, "day": timezone.localdate(), "daily_limit": 4}
    ]


def test_the_event_fires_when_every_callers_share_has_used_up_the_company_cap(
    django_capture_on_commit_callbacks: Any, events: EventRecorder
) -> None:
    # An admin and a key, 2 each of 4: the cap is used up, yet every refusal names a share.
    company = CompanyFactory(max_api_calls_daily=4)
    caller = CompanyCaller(company)

    with django_capture_on_commit_callbacks(execute=True):
        caller.get_company(times=2)
        get_company(caller.key_client, times=2)
        refusals = [*caller.get_company(times=2), caller.key_client.get("/api/company/")]

    assert statuses(refusals) == [429] * 3
    assert {error_of(response)["details"]["limit"] for response in refusals} == {"caller-daily"}
    assert [event["company_id"] for event in events.named("api_limit_exceeded")] == [company.pk]


def test_hitting_the_hourly_limit_publishes_no_event(
    trial_caller: CompanyCaller, django_capture_on_commit_callbacks: Any, events: EventRecorder
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        responses = trial_caller.get_company(times=102)

    assert responses[-1].status_code == 429
    assert events.named("api_limit_exceeded") == []


def test_the_daily_cap_event_fires_once_even_if_the_cap_changes_that_day(
    settings: Any, django_capture_on_commit_callbacks: Any, events: EventRecorder
) -> None:
    settings.API_CALLER_DAILY_SHARE = "1"  # one caller may use the whole cap here
    company = CompanyFactory(max_api_calls_daily=3)
    caller = CompanyCaller(company)
    with django_capture_on_commit_callbacks(execute=True):
        first = caller.get_company(times=4)  # the 4th is the first refusal, cap used up
        company.max_api_calls_daily = 5
        company.save()
        raised = caller.get_company(times=3)  # 4th and 5th admitted, then refused again
        company.max_api_calls_daily = 2
        company.save()
        lowered = caller.get_company(times=2)  # refused, the count above the cap
    assert statuses(first + raised + lowered) == [200] * 3 + [429] + [200] * 2 + [429] * 3
    assert [event["company_id"] for event in events.named("api_limit_exceeded")] == [company.pk]


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


# --- on real Redis, end to end ---------------------------------------------------------------


@pytest.mark.redis
@pytest.mark.usefixtures("redis_counters")
def test_each_callers_hour_through_the_api_on_redis(trial_caller: CompanyCaller) -> None:
    admitted = trial_caller.get_company(times=100)
    refused = trial_caller.user_client.get("/api/company/")
    by_key = trial_caller.key_client.get("/api/company/")

    assert isinstance(counter_store(), RedisCounterStore)
    assert statuses(admitted) == [200] * 100
    assert [response["X-RateLimit-Remaining"] for response in admitted[:3]] == ["99", "98", "97"]
    assert refused.status_code == 429
    assert error_of(refused)["details"]["limit"] == "caller-hourly"
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert by_key.status_code == 200
    assert remaining_by_policy(by_key) == {
        "caller-hourly": 99,
        "caller-daily": 499,
        "company-daily": 899,
    }


@pytest.mark.redis
@pytest.mark.usefixtures("redis_counters")
def test_the_share_and_the_company_cap_through_the_api_on_redis() -> None:
    caller = CompanyCaller(CompanyFactory(max_api_calls_daily=4))  # 2 each

    responses = [
        *caller.get_company(times=3),
        *get_company(caller.key_client, times=2),
        caller.another_key().get("/api/company/"),
    ]

    assert statuses(responses) == [200, 200, 429, 200, 200, 429]
    assert error_of(responses[2])["details"]["limit"] == "caller-daily"
    assert error_of(responses[-1])["details"]["limit"] == "company-daily"


@pytest.mark.redis
@pytest.mark.usefixtures("redis_counters")
def test_the_members_share_through_the_api_on_redis() -> None:
    caller = CompanyCaller(CompanyFactory(max_api_calls_daily=20))  # 2 each, 10 together

    members = [caller.another_member(role=role) for role in ("client", "marketer") * 3]
    responses = [response for member in members for response in get_company(member, times=2)]
    admins = caller.get_company(times=10)

    assert statuses(responses) == [200] * 10 + [429, 429]
    assert {error_of(response)["details"]["limit"] for response in responses[10:]} == {
        "members-daily"
    }
    assert statuses(admins) == [200] * 10
    assert remaining_by_policy(admins[-1])["company-daily"] == 0


@pytest.mark.redis
@pytest.mark.usefixtures("redis_counters")
def test_a_user_with_no_company_is_limited_on_redis(settings: Any) -> None:
    settings.API_NO_COMPANY_HOURLY_LIMIT = 2
    user = UserFactory()
    loner = client_for(user)

    responses = [loner.get("/api/auth/me/") for _ in range(3)]

    assert statuses(responses) == [200, 200, 429]
    assert error_of(responses[-1])["details"]["limit"] == "caller-hourly"
    window = user_window(user_id=user.pk, hourly_limit=2)
    assert counter_store().peek([window]) == (2,)
