"""The report endpoints: who may read them, what bad input gets, how few queries they
take, and that they read roll-ups only."""

import json
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.analytics.models import CompanyDailyActivity, EstateDailySales
from apps.analytics.services import rollups_build
from apps.core.renderers import JSONEncoder
from apps.estates.models import PlotPurchase
from tests.analytics.scenario import october
from tests.companies.factories import CompanyFactory, MembershipFactory
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

REPORTS = ("sales", "marketers", "clients", "usage")
PATHS = [f"/api/analytics/{name}/" for name in REPORTS] + [
    f"/api/analytics/{name}/export/" for name in REPORTS
]


@pytest.mark.parametrize("role", ["marketer", "client"])
@pytest.mark.parametrize("path", PATHS)
def test_only_company_admins_read_reports(path, role):
    member = MembershipFactory(role=role).user
    response = client_for(member).get(path)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("granularity=year", "granularity"),
        ("from=2026-13-01", "from"),
        ("to=yesterday", "to"),
        ("from=2026-10-05&to=2026-10-01", "from"),
        ("from=1999-12-31&to=2000-01-05", "from"),
        ("to=2999-01-01", "to"),
        ("to=0001-01-01", "to"),  # its default from would be before the calendar
        ("to=0001-01-05&granularity=week", "to"),
        ("to=2026-W48", "to"),
        ("to=20261128", "to"),
        ("from=\uff12\uff10\uff12\uff16-11-01", "from"),
        ("to=2026-11-01%0A", "to"),
        ("from=2020-01-01&to=2024-01-01&granularity=month", "to"),
        ("from=2024-01-01&to=2025-06-01&granularity=day", "granularity"),
        ("page=2", "page"),
    ],
)
def test_bad_query_is_a_400_naming_the_parameter(admin_client, path, query, named):
    response = admin_client.get(f"{path}?{query}")
    assert response.status_code == 400, response.content
    body = response.json()
    assert response["Content-Type"].startswith("application/json")
    assert body["error"]["code"] == "validation_error"
    assert named in body["error"]["details"]


def test_defaults_are_the_last_30_days_by_day(admin_client):
    body = admin_client.get("/api/analytics/clients/").json()
    yesterday = timezone.localdate() - timedelta(days=1)
    assert body["to"] == yesterday.isoformat()
    assert body["from"] == (yesterday - timedelta(days=29)).isoformat()
    assert body["granularity"] == "day"
    assert len(body["periods"]) == 30


@pytest.mark.parametrize("name", REPORTS)
def test_a_report_takes_a_fixed_few_queries_whatever_the_range(name):
    month = october()
    rollups_build(first=date(2026, 10, 1), last=date(2026, 10, 31))
    client = client_for(month.admin)
    client.get(f"/api/analytics/{name}/")  # the caller's authentication, cached after
    counts = []
    for query in (
        "from=2026-10-01&to=2026-10-07",
        "from=2025-11-01&to=2026-10-31&granularity=week",
    ):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/analytics/{name}/?{query}").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    # Authentication comes from the cache; the report is one roll-up query, and the names
    # of the estates (one) or of the marketers (two).
    assert counts[0] == {"sales": 2, "marketers": 3}.get(name, 1)
    report_queries = [q["sql"] for q in queries.captured_queries if "analytics_" in q["sql"]]
    assert len(report_queries) == 1
    assert not any(
        table in q["sql"]
        for q in queries.captured_queries
        for table in (
            '"estates_plotpurchase"',
            '"marketers_marketerearnedcommission"',
            '"analytics_analyticsevent"',
        )
    )


def test_reports_of_one_company_never_show_anothers_numbers():
    month = october()
    other = CompanyFactory()
    other_admin = MembershipFactory(company=other, role="company_admin").user
    rollups_build(first=date(2026, 10, 1), last=date(2026, 10, 31))
    client = client_for(other_admin)
    query = "from=2026-10-01&to=2026-10-31&granularity=month"
    sales = client.get(f"/api/analytics/sales/?{query}").json()
    assert sales["totals"]["completed_count"] == 0
    assert sales["estates"] == []
    assert client.get(f"/api/analytics/marketers/?{query}").json()["marketers"] == []
    assert client.get(f"/api/analytics/clients/?{query}").json()["totals"]["logins"] == 0
    assert client.get(f"/api/analytics/usage/?{query}").json()["totals"]["api_calls"] == 0
    lines = b"".join(client.get(f"/api/analytics/sales/export/?{query}").streaming_content)
    assert lines.decode().count("\n") == 1  # the header only
    # The month's company still sees its own.
    mine = client_for(month.admin).get(f"/api/analytics/sales/?{query}").json()
    assert mine["totals"]["completed_count"] == 2


def test_an_estate_name_that_is_a_formula_is_exported_as_text():
    month = october()
    month.estate_1.name = '=HYPERLINK("http://x")'
    month.estate_1.save()
    rollups_build(first=date(2026, 10, 3), last=date(2026, 10, 3))
    response = client_for(month.admin).get(
        "/api/analytics/sales/export/?from=2026-10-03&to=2026-10-03"
    )
    text = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK" in text


def test_the_export_is_csv_whatever_the_client_accepts(admin_client):
    response = admin_client.get("/api/analytics/usage/export/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]


def test_rollups_are_what_reports_read(admin_client, company):
    yesterday = timezone.localdate() - timedelta(days=1)
    CompanyDailyActivity.objects.create(company=company, day=yesterday, logins=7)
    EstateDailySales.objects.create(
        company=company, estate_id=1, day=yesterday, completed_count=2, completed_value="5.00"
    )
    assert admin_client.get("/api/analytics/clients/").json()["totals"]["logins"] == 7
    assert admin_client.get("/api/analytics/sales/").json()["totals"]["completed_value"] == "5.00"


@pytest.mark.parametrize("name", REPORTS)
@pytest.mark.parametrize("granularity", ["day", "week", "month"])
def test_each_answer_is_exactly_what_its_documented_serializer_gives(name, granularity):
    from apps.analytics.reports.views import REPORTS as SPECS

    month = october()
    rollups_build(first=date(2026, 10, 1), last=date(2026, 10, 31))
    query = f"from=2026-10-01&to=2026-10-31&granularity={granularity}"
    answer = client_for(month.admin).get(f"/api/analytics/{name}/?{query}").json()
    report = SPECS[name]
    from apps.analytics.reports.periods import ReportRange

    built = report.build(
        company_id=month.company.pk,
        report_range=ReportRange(date(2026, 10, 1), date(2026, 10, 31), granularity),
    )
    documented = json.loads(json.dumps(report.serializer(built).data, cls=JSONEncoder))
    assert answer == documented


def test_a_report_is_kept_until_the_rollups_change(django_assert_num_queries):
    month = october()
    rollups_build(first=date(2026, 10, 1), last=date(2026, 10, 31))
    client = client_for(month.admin)
    path = "/api/analytics/sales/?from=2026-10-01&to=2026-10-31&granularity=month"
    assert client.get(path).json()["totals"]["completed_count"] == 2
    with django_assert_num_queries(0):  # authentication and the report from the cache
        assert client.get(path).json()["totals"]["completed_count"] == 2
    PlotPurchase.objects.filter(company=month.company, completed_at__day=3).update(
        status="cancelled"
    )
    assert client.get(path).json()["totals"]["completed_count"] == 2  # not rebuilt yet
    rollups_build(first=date(2026, 10, 3), last=date(2026, 10, 3))
    assert client.get(path).json()["totals"]["completed_count"] == 1
