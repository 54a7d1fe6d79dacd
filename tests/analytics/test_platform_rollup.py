"""The platform roll-up against the hand-worked October (tests/analytics/platform_fixture.py)."""

from datetime import date
from decimal import Decimal

import pytest

from apps.analytics.models import PlatformCompanyDay, PlatformTierDay
from apps.analytics.platform.rollup import build_platform_day
from apps.analytics.rollups.registry import builders
from tests.analytics.platform_fixture import OCT_31, add_money, build, make_platform
from tests.billing.factories import billed_company

pytestmark = pytest.mark.django_db


def _row(company, day):
    return PlatformCompanyDay.objects.get(company=company, day=day)


def test_the_builder_is_registered_for_the_nightly_task():
    assert ("platform", build_platform_day) in builders()


def test_each_companys_movement_on_the_day_it_happened():
    platform = make_platform()
    build()
    c = platform.companies
    expected = {
        ("A", date(2026, 10, 10)): ("expansion", "25000.00", "75000.00", "professional"),
        ("B", date(2026, 10, 15)): ("contraction", "250000.00", "75000.00", "professional"),
        ("C", date(2026, 10, 20)): ("churned", "75000.00", "0.00", "professional"),
        ("D", date(2026, 10, 19)): ("new", "0.00", "25000.00", "starter"),
        ("F", date(2026, 10, 8)): ("reactivation", "0.00", "75000.00", "professional"),
        ("G", date(2026, 10, 25)): ("churned", "25000.00", "0.00", "starter"),
    }
    for (name, day), (movement, before, after, tier) in expected.items():
        row = _row(c[name], day)
        assert (row.movement, row.previous_mrr, row.mrr, row.movement_tier) == (
            movement,
            Decimal(before),
            Decimal(after),
            tier,
        ), name
    moved = PlatformCompanyDay.objects.exclude(movement="").filter(day__month=10)
    assert moved.count() == len(expected)


def test_state_reason_and_signup_fields():
    platform = make_platform()
    build()
    c = platform.companies
    cancelled = _row(c["C"], date(2026, 10, 20))
    assert (cancelled.status, cancelled.previous_status, cancelled.status_changed) == (
        "cancelled",
        "active",
        True,
    )
    assert cancelled.reason == "Too expensive"
    assert _row(c["G"], OCT_31).reason == "unpaid_invoices"
    # F's September suspension was lifted since: its reason is no longer known.
    assert _row(c["F"], date(2026, 9, 30)).status == "suspended"
    d = _row(c["D"], OCT_31)
    assert (d.signup_date, d.started_on_trial, d.first_paid_on) == (
        date(2026, 10, 5),
        True,
        date(2026, 10, 19),
    )
    assert _row(c["H"], OCT_31).first_paid_on is None
    # D did not exist on 4 Oct.
    assert not PlatformCompanyDay.objects.filter(company=c["D"], day=date(2026, 10, 4)).exists()


def test_tier_rows_sum_the_companies():
    make_platform()
    build()
    starter, professional, enterprise = (
        PlatformTierDay.objects.get(day=OCT_31, tier=tier)
        for tier in ("starter", "professional", "enterprise")
    )
    # Starter: D and E pay 25,000 each; G suspended, H on trial.
    assert (starter.mrr, starter.paying, starter.companies) == (Decimal("50000.00"), 2, 4)
    assert (starter.trialing, starter.suspended) == (1, 1)
    # Professional: A, B and F pay 75,000 each; C cancelled.
    assert (professional.mrr, professional.paying, professional.cancelled) == (
        Decimal("225000.00"),
        3,
        1,
    )
    assert (enterprise.mrr, enterprise.companies) == (Decimal("0.00"), 0)
    assert PlatformTierDay.objects.get(day=date(2026, 10, 25), tier="starter").suspensions == 1


def test_money_received_and_owed_as_it_was_each_day():
    platform = make_platform()
    add_money(platform)
    build()
    a, e = platform.companies["A"], platform.companies["E"]
    assert _row(e, date(2026, 10, 3)).cash_collected == Decimal("26875.00")
    assert _row(e, date(2026, 10, 2)).outstanding == Decimal("26875.00")
    assert _row(e, date(2026, 10, 3)).outstanding == Decimal("0.00")
    assert (_row(a, date(2026, 10, 5)).outstanding, _row(a, date(2026, 10, 5)).overdue) == (
        Decimal("80625.00"),
        Decimal("0.00"),
    )
    # Due 8 Oct: overdue from the 9th; 30,000 paid on the 20th.
    assert _row(a, date(2026, 10, 9)).overdue == Decimal("80625.00")
    assert (_row(a, OCT_31).outstanding, _row(a, OCT_31).overdue) == (
        Decimal("50625.00"),
        Decimal("50625.00"),
    )
    assert _row(a, date(2026, 9, 30)).outstanding == Decimal("0.00")


def test_rebuilding_a_day_replaces_it():
    platform = make_platform()
    build()
    before = list(PlatformCompanyDay.objects.filter(day=OCT_31).values().order_by("company_id"))
    tiers = list(PlatformTierDay.objects.filter(day=OCT_31).values("tier", "mrr", "paying"))
    build_platform_day(OCT_31)
    build_platform_day(OCT_31, [platform.companies["A"].pk])
    after = list(PlatformCompanyDay.objects.filter(day=OCT_31).values().order_by("company_id"))
    assert [{**row, "id": 0} for row in after] == [{**row, "id": 0} for row in before]
    assert list(PlatformTierDay.objects.filter(day=OCT_31).values("tier", "mrr", "paying")) == tiers


def test_the_builder_takes_the_same_queries_for_more_companies():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_platform()
    with CaptureQueriesContext(connection) as few:
        build_platform_day(OCT_31)
    for _ in range(30):
        billed_company("professional", since=date(2026, 9, 1))
    with CaptureQueriesContext(connection) as many:
        build_platform_day(OCT_31)
    assert len(many) == len(few)
    assert len(few) <= 20
