"""The staff report endpoints: who may call them, their input, CSV, and query counts."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.analytics.models import PlatformCompanyDay, PlatformTierDay
from tests.accounts.factories import UserFactory
from tests.analytics.platform_fixture import (
    OCT_31,
    SEP_1,
    build,
    built_platform,
)
from tests.billing.factories import billed_company
from tests.companies.factories import CompanyFactory, MembershipFactory, make_api_key
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

REPORTS = ("revenue", "churn", "cohorts", "usage")
RANGE = {"from": "2026-09-01", "to": "2026-10-31"}


def url(report: str) -> str:
    return f"/api/analytics/platform/{report}/"


@pytest.fixture
def staff():
    return client_for(UserFactory(is_staff=True))


@pytest.fixture
def platform():
    return built_platform()


@pytest.mark.parametrize("report", REPORTS)
def test_staff_only(api_client, report):
    assert api_client.get(url(report)).json()["error"]["code"] == "not_authenticated"
    admin = MembershipFactory(company=CompanyFactory(), role="company_admin").user
    superuser_less = client_for(admin)
    response = superuser_less.get(url(report))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    key = make_api_key(CompanyFactory())
    response = api_client.get(url(report), HTTP_X_API_KEY=key)
    assert response.status_code == 403
    assert client_for(UserFactory(is_staff=True)).get(url(report)).status_code == 200


def test_revenue_as_json(staff, platform):
    body = staff.get(url("revenue"), RANGE).json()
    assert (body["start"], body["end"], body["granularity"]) == (
        "2026-09-01",
        "2026-10-31",
        "month",
    )
    september, october = body["periods"]
    assert (october["period"], october["mrr"], october["churned_mrr"]) == (
        "2026-10",
        "275000.00",
        "100000.00",
    )
    assert september["mrr"] == "400000.00"
    assert {row["tier"] for row in body["by_tier"]} == {"starter", "professional", "enterprise"}


def test_churn_rates_as_strings_and_null_without_an_opening(staff, platform):
    body = staff.get(url("churn"), RANGE).json()
    september, october = body["periods"]
    # Nothing was rolled up before 1 Sep: no opening, no rate.
    assert september["logo_churn_rate"] is None
    assert october["logo_churn_rate"] == "0.4000"


@pytest.mark.parametrize(
    ("report", "table", "first_row"),
    [
        ("revenue", "periods", {"period": "2026-09"}),
        ("churn", "events", {"company_name": "G Acres", "reason": "unpaid_invoices"}),
        ("cohorts", "cohorts", {"cohort": "2026-09", "paying": "5"}),
        ("usage", "heaviest", {"company_name": "E Land", "api_calls": "10200"}),
    ],
)
def test_each_table_as_csv(staff, platform, report, table, first_row):
    response = staff.get(url(report), {**RANGE, "format": "csv", "table": table})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"{report}-{table}-20260901-20261031.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows
    assert {name: rows[0][name] for name in first_row} == first_row


def test_accept_text_csv_answers_csv(staff, platform):
    response = staff.get(url("revenue"), RANGE, HTTP_ACCEPT="text/csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.decode().startswith("period,start,end,opening_mrr")


def test_a_formula_in_a_reason_is_written_as_text(staff, platform):
    PlatformCompanyDay.objects.filter(reason="Too expensive").update(reason="=HYPERLINK(1)")
    response = staff.get(url("churn"), {**RANGE, "format": "csv", "table": "events"})
    assert "'=HYPERLINK(1)" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-13-01"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "2026-10-02", "to": "2026-10-01"}, "from"),
        ({"from": "1999-12-31", "to": "2000-01-05"}, "from"),
        ({"from": "2000-01-01", "to": "2026-10-01"}, "from"),
        ({"to": "0001-01-01"}, "to"),  # its default from would be before the calendar
        ({"to": "9999-12-31"}, "to"),
        ({"to": "2026-W40"}, "to"),
        ({"from": "2025-01-01", "to": "2026-10-01", "granularity": "day"}, "granularity"),
        ({"granularity": "year"}, "granularity"),
        ({"format": "xml"}, "format"),
        ({"table": "everything"}, "table"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_a_400_naming_it(staff, params, field):
    for report in ("revenue", "churn"):
        response = staff.get(url(report), params)
        assert response.status_code == 400, (report, params)
        error = response.json()["error"]
        assert error["code"] == "validation_error"
        assert field in error["details"]


def test_bad_input_of_cohorts_and_usage(staff):
    cohorts = staff.get(url("cohorts"), {"granularity": "week"})
    assert cohorts.status_code == 400
    assert "granularity" in cohorts.json()["error"]["details"]
    for limit in ("0", "101", "ten"):
        usage = staff.get(url("usage"), {"limit": limit})
        assert usage.status_code == 400
        assert "limit" in usage.json()["error"]["details"]


def test_a_csv_request_with_bad_input_is_answered_in_json(staff):
    response = staff.get(url("revenue"), {"format": "csv", "granularity": "year"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


def test_reports_on_no_data_are_empty_not_errors(staff):
    for report in REPORTS:
        assert staff.get(url(report), RANGE).status_code == 200
    assert staff.get(url("cohorts"), RANGE).json()["cohorts"] == []


@pytest.mark.parametrize("report", REPORTS)
def test_query_counts_do_not_grow_with_companies_or_days(staff, platform, report):
    staff.get(url(report), RANGE)  # the caller's auth caches warmed
    with CaptureQueriesContext(connection) as few:
        assert staff.get(url(report), RANGE).status_code == 200
    for _ in range(20):
        billed_company("starter", since=SEP_1)
    PlatformTierDay.objects.all().delete()
    PlatformCompanyDay.objects.all().delete()
    build(SEP_1, OCT_31)
    with CaptureQueriesContext(connection) as many:
        daily = {} if report == "cohorts" else {"granularity": "day"}
        assert staff.get(url(report), {**RANGE, **daily}).status_code == 200
    assert len(many) == len(few)
    assert len(few) <= 12
