"""GET /api/usage/: the caller's hour and daily share, the marketers' and clients' share of
the day, and the company's day and month."""

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from apps.usage.models import UsageRecord
from tests.companies.factories import CompanyFactory, MembershipFactory
from tests.conftest import client_for
from tests.estates.factories import EstateFactory, PlotFactory
from tests.usage.callers import CompanyCaller, get_company

pytestmark = pytest.mark.django_db

LIMITS = ("caller_hourly", "caller_daily", "members_daily", "company_daily")


def usage_numbers(response: Any) -> dict[str, Any]:
    """The body with each limit as (used, limit); the reset times are checked on their own."""
    assert response.status_code == 200
    body = response.json()
    return body | {name: (body[name]["used"], body[name]["limit"]) for name in LIMITS}


def resets_at(response: Any, name: str) -> datetime:
    return timezone.localtime(datetime.fromisoformat(response.json()[name]["resets_at"]))


def test_usage_shows_the_callers_hour_and_share_and_the_companys_day_and_month(
    trial_caller: CompanyCaller,
) -> None:
    trial_caller.get_company(times=3)
    get_company(trial_caller.key_client, times=2)
    PlotFactory.create_batch(2, estate__company=trial_caller.company)

    response = trial_caller.user_client.get("/api/usage/")

    # This request is counted before the numbers are read: 3 + 1 for the admin.
    assert usage_numbers(response) == {
        "caller_hourly": (4, 100),
        "caller_daily": (4, 500),
        "members_daily": (0, 500),  # an admin and a key: not counted there
        "company_daily": (6, 1000),
        "month_to_date": 6,
        "plots": 2,
        "max_plots": 100,
    }
    hour_ends = resets_at(response, "caller_hourly")
    day_ends = resets_at(response, "company_daily")
    assert (hour_ends.minute, hour_ends.second) == (0, 0)
    assert (day_ends.hour, day_ends.minute) == (0, 0)
    assert resets_at(response, "caller_daily") == day_ends
    assert timezone.now() < hour_ends <= day_ends
    assert response["X-RateLimit-Remaining"] == "96"


def test_an_api_key_sees_its_own_hour_and_share(trial_caller: CompanyCaller) -> None:
    trial_caller.get_company(times=2)
    trial_caller.key_client.get("/api/company/")

    by_key = usage_numbers(trial_caller.key_client.get("/api/usage/"))

    assert by_key["caller_hourly"] == (2, 100)
    assert by_key["caller_daily"] == (2, 500)
    assert by_key["company_daily"] == (4, 1000)


def test_a_marketer_sees_their_share_and_what_marketers_and_clients_used_together(
    trial_caller: CompanyCaller,
) -> None:
    marketer = trial_caller.another_member(role="marketer")
    get_company(trial_caller.another_member(role="client"), times=4)
    trial_caller.get_company(times=2)
    marketer.get("/api/company/")

    as_marketer = usage_numbers(marketer.get("/api/usage/"))
    as_admin = usage_numbers(trial_caller.user_client.get("/api/usage/"))

    # Starter's trial: 1,000 a day, 100 per marketer or client, 500 for all of them.
    assert as_marketer["caller_hourly"] == (2, 100)
    assert as_marketer["caller_daily"] == (2, 100)
    assert as_marketer["members_daily"] == (6, 500)
    assert as_marketer["company_daily"] == (8, 1000)
    # An admin is shown what the members used; its own requests are not in it.
    assert as_admin["caller_daily"] == (3, 500)
    assert as_admin["members_daily"] == (6, 500)
    assert as_admin["company_daily"] == (9, 1000)


def test_month_to_date_adds_flushed_days_of_this_month_only(trial_caller: CompanyCaller) -> None:
    today = timezone.localdate()
    last_month = today.replace(day=1) - timedelta(days=1)
    UsageRecord.objects.create(company=trial_caller.company, day=last_month, api_calls=700)
    # Flushed earlier today; the live counter (1 after this request) is behind it.
    UsageRecord.objects.create(company=trial_caller.company, day=today, api_calls=30)

    response = trial_caller.user_client.get("/api/usage/")

    numbers = usage_numbers(response)
    assert numbers["month_to_date"] == 30
    assert numbers["company_daily"] == (1, 1000)


def test_usage_after_the_hourly_limit_stays_at_the_limit(trial_caller: CompanyCaller) -> None:
    trial_caller.get_company(times=99)

    last_admitted = trial_caller.user_client.get("/api/usage/")
    refused = trial_caller.user_client.get("/api/usage/")

    assert usage_numbers(last_admitted)["caller_hourly"] == (100, 100)
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

    assert numbers["caller_hourly"] == (1, 40_000)
    assert numbers["caller_daily"] == (1, 125_000)
    assert numbers["members_daily"] == (0, 125_000)
    assert numbers["company_daily"] == (1, 250_000)
    assert numbers["max_plots"] == 10_000


def test_another_companys_usage_never_shows(trial_caller: CompanyCaller) -> None:
    other = CompanyCaller(CompanyFactory())
    other.get_company(times=7)
    UsageRecord.objects.create(company=other.company, day=timezone.localdate(), api_calls=5_000)
    PlotFactory(estate__company=other.company)

    mine = usage_numbers(trial_caller.user_client.get("/api/usage/"))
    theirs = usage_numbers(other.user_client.get("/api/usage/"))

    assert [mine[name][0] for name in LIMITS] == [1, 1, 0, 1]
    assert (mine["month_to_date"], mine["plots"]) == (1, 0)
    assert [theirs[name][0] for name in LIMITS] == [8, 8, 0, 8]
    assert (theirs["month_to_date"], theirs["plots"]) == (5_000, 1)


def test_a_member_of_two_companies_sees_the_one_they_act_for(
    trial_caller: CompanyCaller,
) -> None:
    other = CompanyFactory()
    MembershipFactory(company=other, user=trial_caller.admin, role="marketer")
    trial_caller.get_company(times=3)

    as_other = usage_numbers(client_for(trial_caller.admin, company_id=other.pk).get("/api/usage/"))

    assert as_other["caller_hourly"] == (1, 1_000)
    assert as_other["company_daily"] == (1, 10_000)


def test_usage_needs_a_company(api_client: APIClient, user: Any) -> None:
    anonymous = api_client.get("/api/usage/")
    without_company = client_for(user).get("/api/usage/")

    assert anonymous.status_code == 401
    assert without_company.status_code == 403
    assert without_company.json()["error"]["code"] == "no_company"


def test_a_warm_usage_read_counts_no_plots_and_shows_the_next_plot_at_once(
    trial_caller: CompanyCaller,
) -> None:
    estate = EstateFactory(company=trial_caller.company)
    PlotFactory.create_batch(2, estate=estate)
    client = trial_caller.user_client
    assert client.get("/api/usage/").json()["plots"] == 2

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/usage/").json()["plots"] == 2
    assert not [q["sql"] for q in queries.captured_queries if "estates_plot" in q["sql"]]

    new = {"estate": estate.pk, "plot_number": "N-1", "size_sqm": "500", "price": "1000000"}
    assert client.post("/api/plots/", new, format="json").status_code == 201
    assert client.get("/api/usage/").json()["plots"] == 3
