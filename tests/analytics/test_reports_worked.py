"""October 2026 of tests/analytics/scenario.py, rolled up and reported: every number
below is worked out by hand from the scenario's comments."""

from datetime import date

import pytest

from apps.analytics.services import rollups_build
from tests.analytics.scenario import october
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

MONTH = "from=2026-10-01&to=2026-10-31"


@pytest.fixture
def month():
    month = october()
    rollups_build(first=date(2026, 10, 1), last=date(2026, 10, 31))
    return month


def get(month, path):
    response = client_for(month.admin).get(path)
    assert response.status_code == 200, response.content
    return response.json()


def test_sales_by_month(month):
    body = get(month, f"/api/analytics/sales/?{MONTH}&granularity=month")
    totals = {
        "completed_count": 2,
        "completed_value": "14500000.50",
        "completed_sqm": "800.00",
        "pending_count": 1,
        "pending_value": "7200000.00",
        "pending_sqm": "450.00",
        # 14,500,000.50 / 800 = 18,125.000625
        "average_price_per_sqm": "18125.00",
    }
    assert body["totals"] == totals
    assert body["periods"] == [{"start": "2026-10-01", "end": "2026-10-31", **totals}]
    lekki, ibeju = body["estates"]
    assert (lekki["estate_name"], ibeju["estate_name"]) == ("Lekki Gardens", "Ibeju Court")
    assert lekki["completed_count"] == 2
    assert lekki["completed_value"] == "14500000.50"
    assert lekki["pending_count"] == 0
    assert ibeju["completed_count"] == 0
    assert ibeju["average_price_per_sqm"] is None
    assert (ibeju["pending_count"], ibeju["pending_value"]) == (1, "7200000.00")


def test_sales_by_week_clips_the_first_and_last_weeks(month):
    body = get(month, f"/api/analytics/sales/?{MONTH}&granularity=week")
    spans = [(p["start"], p["end"]) for p in body["periods"]]
    assert spans == [
        ("2026-10-01", "2026-10-04"),
        ("2026-10-05", "2026-10-11"),
        ("2026-10-12", "2026-10-18"),
        ("2026-10-19", "2026-10-25"),
        ("2026-10-26", "2026-10-31"),
    ]
    completed = [(p["completed_count"], p["completed_value"]) for p in body["periods"]]
    assert completed == [
        (1, "10000000.00"),
        (1, "4500000.50"),
        (0, "0.00"),
        (0, "0.00"),
        (0, "0.00"),
    ]
    assert [p["pending_count"] for p in body["periods"]] == [0, 0, 0, 1, 0]
    assert body["periods"][0]["average_price_per_sqm"] == "20000.00"  # 10,000,000 / 500


def test_marketers_ranked_with_commissions(month):
    body = get(month, f"/api/analytics/marketers/?{MONTH}&granularity=week")
    ada, bola = body["marketers"]
    assert ada | {"periods": None} == {
        "rank": 1,
        "affiliation_id": month.marketer_1.pk,
        "marketer_name": "Ada Obi",
        "sales_count": 1,
        "sales_value": "10000000.00",
        "commission_earned": "500000.00",
        "commission_approved": "500000.00",
        "commission_paid": "500000.00",
        "periods": None,
    }
    assert bola["rank"] == 2
    assert bola["marketer_name"] == "Bola Ade"
    assert (bola["sales_value"], bola["commission_earned"]) == ("4500000.50", "112500.01")
    assert (bola["commission_approved"], bola["commission_paid"]) == ("112500.01", "0.00")
    # Ada: sold and earned in week 1, approved in week 2, paid in week 3.
    assert [
        (p["start"], p["commission_earned"], p["commission_approved"], p["commission_paid"])
        for p in ada["periods"]
    ] == [
        ("2026-10-01", "500000.00", "0.00", "0.00"),
        ("2026-10-05", "0.00", "500000.00", "0.00"),
        ("2026-10-12", "0.00", "0.00", "500000.00"),
    ]
    assert body["totals"] == {
        "sales_count": 2,
        "sales_value": "14500000.50",
        "commission_earned": "612500.01",
        "commission_approved": "612500.01",
        "commission_paid": "500000.00",
    }


def test_clients_activity_and_conversion(month):
    body = get(month, f"/api/analytics/clients/?{MONTH}&granularity=month")
    assert body["totals"] == {
        "new_clients": 3,
        "logins": 3,
        "plot_views": 5,
        "estate_views": 1,
        "searches": 1,
        "exports": 1,
        # client 1 on the 1st and the 2nd, client 3 on the 20th
        "plot_viewers": 3,
        # client 1 on the 2nd, client 2 on the 10th, client 3 on the 20th (the 12th's was
        # cancelled)
        "buyers": 3,
        # clients 1 and 3 had viewed a plot before buying; client 2 had not
        "buyers_who_viewed": 2,
        "conversion_rate": "0.6667",
    }


def test_usage_against_the_limits(month):
    body = get(month, f"/api/analytics/usage/?{MONTH}&granularity=month")
    assert body["totals"] == {
        "api_calls": 200,
        "api_calls_peak_day": 120,
        "days_over_limit": 1,
        "api_calls_daily_limit": 100,
        "plots": 5,
        "plots_limit": 50,
        "members": 6,  # the admin, two marketers, three clients
        "marketers": 2,
        "marketers_limit": 5,
    }
    by_day = get(month, "/api/analytics/usage/?from=2026-10-02&to=2026-10-04")
    assert [p["api_calls"] for p in by_day["periods"]] == [120, 80, 0]


def test_sales_csv_has_one_row_per_period_and_estate(month):
    response = client_for(month.admin).get(f"/api/analytics/sales/export/?{MONTH}&granularity=week")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="sales-20261001-20261031.csv"' in response["Content-Disposition"]
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines == [
        "period_start,period_end,estate_id,estate_name,completed_count,completed_value,"
        "completed_sqm,pending_count,pending_value,pending_sqm,average_price_per_sqm",
        f"2026-10-01,2026-10-04,{month.estate_1.pk},Lekki Gardens,1,10000000.00,500.00,0,0.00,"
        "0.00,20000.00",
        f"2026-10-05,2026-10-11,{month.estate_1.pk},Lekki Gardens,1,4500000.50,300.00,0,0.00,"
        "0.00,15000.00",
        f"2026-10-19,2026-10-25,{month.estate_2.pk},Ibeju Court,0,0.00,0.00,1,7200000.00,450.00,",
    ]


def test_marketers_csv_rows_are_in_rank_order(month):
    response = client_for(month.admin).get(
        f"/api/analytics/marketers/export/?{MONTH}&granularity=month"
    )
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[1:] == [
        f"2026-10-01,2026-10-31,1,{month.marketer_1.pk},Ada Obi,1,10000000.00,500000.00,"
        "500000.00,500000.00",
        f"2026-10-01,2026-10-31,2,{month.marketer_2.pk},Bola Ade,1,4500000.50,112500.01,"
        "112500.01,0.00",
    ]
