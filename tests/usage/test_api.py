"""GET /api/usage/: the company's own usage now, against its limits."""

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.usage.models import UsageRecord
from tests.companies.factories import CompanyFactory, MembershipFactory
from tests.conftest import client_for
from tests.estates.factories import PlotFactory
from tests.usage.callers import CompanyCaller

pytestmark = pytest.mark.django_db


def usage_numbers(response: Any) -> dict[str, int]:
    """The body without its two timestamps (checked on their own)."""
    assert response.status_code == 200
    body = response.json()
    return {key: value for key, value in body.items() if not key.endswith("_resets_at")}


def test_usage_shows_this_hour_today_and_this_month(trial_caller: CompanyCaller) -> None:
    trial_caller.get_company(times=3)
    PlotFactory.create_batch(2, estate__company=trial_caller.company)

    response = trial_caller.user_client.get("/api/usage/")

    # This request is counted before the numbers are read: 3 + 1.
    assert usage_numbers(response) == {
        "hourly_used": 4,
        "hourly_limit": 100,
        "daily_used": 4,
        "daily_limit": 1000,
        "month_to_date": 4,
        "plots": 2,
        "max_plots": 100,
    }
    body = response.json()
    hour_ends = timezone.localtime(datetime.fromisoformat(body["hourly_resets_at"]))
    day_ends = timezone.localtime(datetime.fromisoformat(body["daily_resets_at"]))
    assert (hour_ends.minute, hour_ends.second) == (0, 0)
    assert (day_ends.hour, day_ends.minute) == (0, 0)
    assert timezone.now() < hour_ends <= day_ends
    assert response["X-RateLimit-Remaining"] == "96"


def test_usage_counts_user_token_and_api_key_requests_together(
    trial_caller: CompanyCaller,
) -> None:
    trial_caller.get_company(times=2)
    trial_caller.key_client.get("/api/company/")

    by_key = trial_caller.key_client.get("/api/usage/")

    assert usage_numbers(by_key)["hourly_used"] == 4
    assert usage_numbers(by_key)["daily_used"] == 4


def test_month_to_date_adds_flushed_days_of_this_month_only(trial_caller: CompanyCaller) -> None:
    today = timezone.localdate()
    last_month = today.replace(day=1) - timedelta(days=1)
    UsageRecord.objects.create(company=trial_caller.company, day=last_month, api_calls=700)
    # Flushed earlier today; the live counter (1 after this request) is behind it.
    UsageRecord.objects.create(company=trial_caller.company, day=today, api_calls=30)

    response = trial_caller.user_client.get("/api/usage/")

    numbers = usage_numbers(response)
    assert numbers["month_to_date"] == 30
    assert numbers["daily_used"] == 1


def test_usage_after_the_hourly_limit_stays_at_the_limit(trial_caller: CompanyCaller) -> None:
    trial_caller.get_company(times=99)

    last_admitted = trial_caller.user_client.get("/api/usage/")
    refused = trial_caller.user_client.get("/api/usage/")

    assert usage_numbers(last_admitted)["hourly_used"] == 100
    assert usage_numbers(last_admitted)["month_to_date"] == 100
    assert refused.status_code == 429


def test_usage_shows_the_enterprise_override_and_daily_cap() -> None:
    caller = CompanyCaller(
        CompanyFactory(
            subscription_tier="enterprise",
            api_hourly_limit_override=40_000,
            max_api_calls_daily=250_000,
            max_plots=10_000,
        )
    )

    numbers = usage_numbers(caller.key_client.get("/api/usage/"))

    assert numbers["hourly_limit"] == 40_000
    assert numbers["daily_limit"] == 250_000
    assert numbers["max_plots"] == 10_000


def test_another_companys_usage_never_shows(trial_caller: CompanyCaller) -> None:
    other = CompanyCaller(CompanyFactory())
    other.get_company(times=7)
    UsageRecord.objects.create(company=other.company, day=timezone.localdate(), api_calls=5_000)
    PlotFactory(estate__company=other.company)

    mine = usage_numbers(trial_caller.user_client.get("/api/usage/"))
    theirs = usage_numbers(other.key_client.get("/api/usage/"))

    assert (mine["hourly_used"], mine["daily_used"], mine["month_to_date"]) == (1, 1, 1)
    assert mine["plots"] == 0
    assert (theirs["hourly_used"], theirs["daily_used"], theirs["month_to_date"]) == (8, 8, 5_000)
    assert theirs["plots"] == 1


def test_a_member_of_two_companies_sees_the_one_they_act_for(
    trial_caller: CompanyCaller,
) -> None:
    other = CompanyFactory()
    MembershipFactory(company=other, user=trial_caller.admin, role="marketer")
    trial_caller.get_company(times=3)

    as_other = client_for(trial_caller.admin, company_id=other.pk).get("/api/usage/")

    assert usage_numbers(as_other)["hourly_used"] == 1
    assert usage_numbers(as_other)["hourly_limit"] == 1_000


def test_usage_needs_a_company(api_client: APIClient, user: Any) -> None:
    anonymous = api_client.get("/api/usage/")
    without_company = client_for(user).get("/api/usage/")

    assert anonymous.status_code == 401
    assert without_company.status_code == 403
    assert without_company.json()["error"]["code"] == "no_company"
