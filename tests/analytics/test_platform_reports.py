"""The staff reports over the hand-worked October (tests/analytics/platform_fixture.py)."""

from datetime import date
from decimal import Decimal

import pytest

from apps.analytics.platform.reports.churn import churn_report
from apps.analytics.platform.reports.cohorts import cohort_report
from apps.analytics.platform.reports.revenue import revenue_report
from apps.analytics.platform.reports.usage import usage_report
from tests.analytics.platform_fixture import (
    OCT_1,
    OCT_31,
    SEP_1,
    built_platform,
)

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def platform():
    return built_platform()


def test_octobers_mrr_bridge_written_out_by_hand(platform):
    [october] = revenue_report(start=OCT_1, end=OCT_31, granularity="month").periods
    # Opening (30 Sep): A 25,000 + B 250,000 + C 75,000 + E 25,000 + G 25,000 (F suspended).
    assert october["opening_mrr"] == D("400000.00")
    assert october["new_mrr"] == D("25000.00")  # D
    assert october["expansion_mrr"] == D("50000.00")  # A: 25,000 -> 75,000
    assert october["reactivation_mrr"] == D("75000.00")  # F
    assert october["contraction_mrr"] == D("175000.00")  # B: 250,000 -> 75,000
    assert october["churned_mrr"] == D("100000.00")  # C 75,000 + G 25,000
    # 25,000 + 50,000 + 75,000 - 175,000 - 100,000
    assert october["net_new_mrr"] == D("-125000.00")
    # Closing: A 75,000 + B 75,000 + D 25,000 + E 25,000 + F 75,000.
    assert october["mrr"] == D("275000.00")
    assert october["arr"] == D("3300000.00")
    assert october["paying_companies"] == 5
    assert october["opening_mrr"] + october["net_new_mrr"] == october["mrr"]


def test_movements_by_tier(platform):
    rows = revenue_report(start=OCT_1, end=OCT_31, granularity="month").by_tier
    by_tier = {row["tier"]: row for row in rows}
    starter, professional = by_tier["starter"], by_tier["professional"]
    assert (starter["new_mrr"], starter["churned_mrr"], starter["mrr"]) == (
        D("25000.00"),
        D("25000.00"),
        D("50000.00"),
    )
    assert (
        professional["expansion_mrr"],
        professional["reactivation_mrr"],
        professional["contraction_mrr"],
        professional["churned_mrr"],
        professional["mrr"],
    ) == (D("50000.00"), D("75000.00"), D("175000.00"), D("75000.00"), D("225000.00"))
    assert by_tier["enterprise"]["mrr"] == D("0.00")


def test_cash_collected_outstanding_and_overdue(platform):
    september, october = revenue_report(start=SEP_1, end=OCT_31, granularity="month").periods
    assert (september["cash_collected"], september["outstanding"]) == (D("0.00"), D("0.00"))
    # E's 26,875 on 3 Oct and A's 30,000 on 20 Oct; A still owes 50,625, due 8 Oct.
    assert october["cash_collected"] == D("56875.00")
    assert (october["outstanding"], october["overdue"]) == (D("50625.00"), D("50625.00"))


def test_weeks_and_days_add_up_to_the_month(platform):
    weeks = revenue_report(start=OCT_1, end=OCT_31, granularity="week").periods
    assert [week["period"] for week in weeks][:2] == ["2026-W40", "2026-W41"]
    assert (weeks[0]["start"], weeks[-1]["end"]) == (OCT_1, OCT_31)
    days = revenue_report(start=OCT_1, end=OCT_31, granularity="day").periods
    assert len(days) == 31
    for periods in (weeks, days):
        assert sum(p["net_new_mrr"] for p in periods) == D("-125000.00")
        assert sum(p["cash_collected"] for p in periods) == D("56875.00")
    assert days[9]["expansion_mrr"] == D("50000.00")  # A, 10 Oct


def test_churn_rates_written_out_by_hand(platform):
    report = churn_report(start=OCT_1, end=OCT_31, granularity="month")
    [october] = report.periods
    # Paying at the opening: A, B, C, E, G. Churned: C (cancelled), G (suspended).
    assert (october["opening_paying"], october["churned_companies"]) == (5, 2)
    assert october["logo_churn_rate"] == D("0.4000")
    # (100,000 churned + 175,000 contraction) / 400,000
    assert october["gross_revenue_churn_rate"] == D("0.6875")
    # (275,000 - 50,000 expansion - 75,000 reactivation) / 400,000
    assert october["net_revenue_churn_rate"] == D("0.3750")
    assert (october["cancellations"], october["suspensions"]) == (1, 1)


def test_cancellations_and_suspensions_with_their_reasons(platform):
    report = churn_report(start=SEP_1, end=OCT_31, granularity="month")
    assert report.reasons == [
        # F's September suspension: lifted since, so its reason is not known.
        {"period": "2026-09", "tier": "professional", "status": "suspended", "reason": "",
         "companies": 1},
        {"period": "2026-10", "tier": "professional", "status": "cancelled",
         "reason": "Too expensive", "companies": 1},
        {"period": "2026-10", "tier": "starter", "status": "suspended",
         "reason": "unpaid_invoices", "companies": 1},
    ]  # fmt: skip
    names = [(event["company_name"], event["day"], event["mrr_lost"]) for event in report.events]
    assert names == [
        ("G Acres", date(2026, 10, 25), D("25000.00")),
        ("C Realty", date(2026, 10, 20), D("75000.00")),
        ("F Gardens", date(2026, 9, 25), D("75000.00")),
    ]


def test_trial_to_paid_conversion(platform):
    conversion = churn_report(start=OCT_1, end=OCT_31, granularity="month").trial_conversion
    # D and H started trials in October; D pays.
    assert conversion == [
        {
            "signup_month": "2026-10",
            "trials": 2,
            "converted": 1,
            "conversion_rate": D("0.5000"),
            "as_of": OCT_31,
        }
    ]


def test_cohort_retention_by_signup_month(platform):
    rows = cohort_report(start=SEP_1, end=OCT_31)
    table = {
        (row["cohort"], row["months_since_signup"]): (
            row["companies"],
            row["paying"],
            row["retention_rate"],
            row["mrr"],
        )
        for row in rows
    }
    assert table == {
        # A, B, C, E, F, G signed up in September; at 30 Sep all but F (suspended) paid.
        ("2026-09", 0): (6, 5, D("0.8333"), D("400000.00")),
        # At 31 Oct: A, B, E, F pay; C cancelled, G suspended.
        ("2026-09", 1): (6, 4, D("0.6667"), D("250000.00")),
        # D and H signed up in October; D pays.
        ("2026-10", 0): (2, 1, D("0.5000"), D("25000.00")),
    }


def test_usage_heaviest_callers_and_upsell_candidates(platform):
    report = usage_report(start=OCT_1, end=OCT_31, granularity="month", limit=10)
    heaviest = [
        (row["company_name"], row["api_calls"], row["peak_day_calls"]) for row in report.heaviest
    ]
    assert heaviest == [("E Land", 30 * 300 + 1200, 1200), ("B Estates", 3100, 100)]
    assert {(row["tier"], row["api_calls"]) for row in report.periods} == {
        ("starter", 10200),
        # B: Enterprise until 14 Oct, Professional from the 15th.
        ("professional", 17 * 100),
        ("enterprise", 14 * 100),
    }
    limits = {(row["company_name"], row["limit"]): row for row in report.limits}
    assert set(limits) == {("E Land", "api_calls_daily"), ("E Land", "api_calls_month")}
    daily = limits["E Land", "api_calls_daily"]
    assert (daily["used"], daily["allowed"], daily["ratio"], daily["over"]) == (
        1200,
        1000,
        D("1.2000"),
        True,
    )
    monthly = limits["E Land", "api_calls_month"]
    assert (monthly["used"], monthly["allowed"], monthly["over"]) == (10200, 10000, True)
    top = usage_report(start=OCT_1, end=OCT_31, granularity="month", limit=1).heaviest
    assert [row["company_name"] for row in top] == ["E Land"]


def test_eighty_percent_is_near_and_just_under_is_not(platform):
    from apps.analytics.models import PlatformCompanyDay

    b = platform.companies["B"]
    # B (Professional, 1,000 plots included) holds 800 plots: 80 %, near; 799 is not.
    PlatformCompanyDay.objects.filter(company=b, day=OCT_31).update(plots=800)
    report = usage_report(start=OCT_1, end=OCT_31, granularity="month", limit=10)
    [near] = [row for row in report.limits if row["limit"] == "plots"]
    assert (near["company_name"], near["ratio"], near["over"]) == ("B Estates", D("0.8000"), False)
    PlatformCompanyDay.objects.filter(company=b, day=OCT_31).update(plots=799)
    report = usage_report(start=OCT_1, end=OCT_31, granularity="month", limit=10)
    assert not [row for row in report.limits if row["limit"] == "plots"]
