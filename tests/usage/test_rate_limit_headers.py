"""Rate-limit headers: every policy in the IETF fields, the binding window in X-RateLimit-*."""

import time

import pytest

from tests.companies.factories import CompanyFactory
from tests.usage.callers import CompanyCaller, get_company
from tests.usage.responses import (
    RATE_LIMIT_HEADERS,
    remaining_by_policy,
    seconds_to_reset_by_policy,
)

pytestmark = pytest.mark.django_db

MIDNIGHT_IN_LAGOS = 23 * 3600  # 00:00 WAT is 23:00 UTC


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
    assert third["RateLimit-Policy"] == (
        '"caller-hourly";q=100;w=3600, "caller-daily";q=500;w=86400, "company-daily";q=1000;w=86400'
    )
    assert remaining_by_policy(third) == {
        "caller-hourly": 97,
        "caller-daily": 497,
        "company-daily": 997,
    }
    seconds_to_reset = seconds_to_reset_by_policy(third)
    assert 0 < seconds_to_reset["caller-hourly"] <= 3600
    assert 0 < seconds_to_reset["caller-daily"] == seconds_to_reset["company-daily"] <= 86400
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


def test_x_rate_limit_describes_the_window_with_least_left() -> None:
    caller = CompanyCaller(CompanyFactory(max_api_calls_daily=10))  # a share of 5

    response = caller.user_client.get("/api/company/")

    assert remaining_by_policy(response) == {
        "caller-hourly": 999,
        "caller-daily": 4,
        "company-daily": 9,
    }
    assert response["X-RateLimit-Limit"] == "5"
    assert response["X-RateLimit-Remaining"] == "4"
    assert int(response["X-RateLimit-Reset"]) % 86400 == MIDNIGHT_IN_LAGOS


def test_the_companys_day_binds_once_the_others_have_used_it_up() -> None:
    caller = CompanyCaller(CompanyFactory(max_api_calls_daily=10))  # a share of 5
    caller.get_company(times=5)
    get_company(caller.another_member(role="company_admin"), times=4)

    last = caller.key_client.get("/api/company/")

    assert last.status_code == 200
    assert remaining_by_policy(last) == {
        "caller-hourly": 999,
        "caller-daily": 4,
        "company-daily": 0,
    }
    assert last["X-RateLimit-Limit"] == "10"
    assert last["X-RateLimit-Remaining"] == "0"
    assert int(last["X-RateLimit-Reset"]) % 86400 == MIDNIGHT_IN_LAGOS


def test_a_marketer_or_client_also_sees_the_members_share_of_the_day(
    trial_caller: CompanyCaller,
) -> None:
    trial_caller.get_company(times=2)
    get_company(trial_caller.another_member(role="client"), times=3)

    response = trial_caller.another_member(role="marketer").get("/api/company/")

    assert response.status_code == 200
    assert response["RateLimit-Policy"] == (
        '"caller-hourly";q=100;w=3600, "caller-daily";q=100;w=86400, '
        '"members-daily";q=500;w=86400, "company-daily";q=1000;w=86400'
    )
    assert remaining_by_policy(response) == {
        "caller-hourly": 99,
        "caller-daily": 99,
        "members-daily": 496,
        "company-daily": 994,
    }
    seconds_to_reset = seconds_to_reset_by_policy(response)
    assert seconds_to_reset["members-daily"] == seconds_to_reset["company-daily"]
    assert response["X-RateLimit-Limit"] == "100"
    assert response["X-RateLimit-Remaining"] == "99"
