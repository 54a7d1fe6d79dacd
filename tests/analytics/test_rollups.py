"""Roll-ups against the raw rows: a property test over random activity (each day's rows
equal a direct count of what was generated), idempotent rebuilds, and the command."""

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.analytics.models import (
    AnalyticsEvent,
    CompanyDailyActivity,
    EstateDailySales,
    EventKind,
    MarketerDailyPerformance,
)
from apps.analytics.services import rollups_build
from apps.companies.models import Company
from apps.estates.models import Client, Plot, PlotPurchase, PurchaseStatus
from apps.marketers.models import CommissionStatus, MarketerEarnedCommission
from tests.analytics.scenario import october
from tests.companies.factories import CompanyFactory
from tests.estates.factories import ClientFactory, EstateFactory
from tests.marketers.factories import AffiliationFactory

pytestmark = pytest.mark.django_db

FIRST = date(2026, 10, 5)
DAYS = 3  # activity falls on these days, and one day either side
START = timezone.make_aware(datetime.combine(FIRST - timedelta(days=1), datetime.min.time()))
SPAN_MINUTES = (DAYS + 2) * 24 * 60

minute = st.integers(min_value=0, max_value=SPAN_MINUTES - 1)
purchase = st.fixed_dictionaries(
    {
        "company": st.integers(0, 1),
        "estate": st.integers(0, 1),
        "marketer": st.none() | st.integers(0, 1),
        "status": st.sampled_from(["pending", "completed", "cancelled"]),
        "bought": minute,
        "completed_after": st.integers(0, 3000),
        "price": st.integers(1, 10**9).map(lambda kobo: Decimal(kobo) / 100),
        "sqm": st.integers(1, 10**6).map(lambda c: Decimal(c) / 100),
        "commission": st.none()
        | st.tuples(st.sampled_from(["pending", "approved", "paid", "cancelled"]), minute, minute),
    }
)
event = st.fixed_dictionaries(
    {
        "company": st.integers(0, 1),
        "kind": st.sampled_from(list(EventKind.values)),
        "user": st.integers(0, 2),
        "role": st.sampled_from(["client", "company_admin"]),
        "at": minute,
    }
)


def when(minutes: int) -> datetime:
    return START + timedelta(minutes=minutes)


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def make_world() -> list[dict]:
    """Two companies, each with two estates, two marketers and three clients."""
    world = []
    for _ in range(2):
        company = CompanyFactory()
        world.append(
            {
                "company": company,
                "estates": [EstateFactory(company=company) for _ in range(2)],
                "marketers": [AffiliationFactory(company=company) for _ in range(2)],
                "clients": [ClientFactory(company=company) for _ in range(3)],
            }
        )
    ids = [place["company"].pk for place in world]
    Company.objects.filter(pk__in=ids).update(created_at=START - timedelta(days=30))
    Client.objects.filter(company_id__in=ids).update(created_at=START - timedelta(days=30))
    return world


def _generate(world, purchases, events):
    expected_sales, expected_marketers, expected_events = {}, {}, {}
    for number, spec in enumerate(purchases):
        place = world[spec["company"]]
        company = place["company"]
        estate = place["estates"][spec["estate"]]
        plot = Plot.objects.create(
            company=company,
            estate=estate,
            plot_number=f"R{number}",
            size_sqm=spec["sqm"],
            price=spec["price"],
        )
        Plot.objects.filter(pk=plot.pk).update(created_at=START - timedelta(days=1))
        bought = when(spec["bought"])
        completed = bought + timedelta(minutes=spec["completed_after"])
        is_done = spec["status"] == "completed"
        marketer = place["marketers"][spec["marketer"]] if spec["marketer"] is not None else None
        sale = PlotPurchase.objects.create(
            company=company,
            plot=plot,
            client=place["clients"][number % 3],
            affiliation=marketer,
            agreed_price=spec["price"],
            status=spec["status"],
            purchased_at=bought,
            completed_at=completed if is_done else None,
        )
        if spec["status"] == PurchaseStatus.PENDING:
            key = (company.pk, estate.pk, local_day(bought))
            slot = expected_sales.setdefault(
                key, [0, Decimal(0), Decimal(0), 0, Decimal(0), Decimal(0)]
            )
            slot[3] += 1
            slot[4] += spec["price"]
            slot[5] += spec["sqm"]
        if is_done:
            key = (company.pk, estate.pk, local_day(completed))
            slot = expected_sales.setdefault(
                key, [0, Decimal(0), Decimal(0), 0, Decimal(0), Decimal(0)]
            )
            slot[0] += 1
            slot[1] += spec["price"]
            slot[2] += spec["sqm"]
            if marketer is not None:
                mine = expected_marketers.setdefault(
                    (company.pk, marketer.pk, local_day(completed)),
                    [0, Decimal(0)] + [Decimal(0)] * 3,
                )
                mine[0] += 1
                mine[1] += spec["price"]
        if spec["commission"] and marketer is not None:
            status, approved_at, paid_at = spec["commission"]
            amount = (spec["price"] / 20).quantize(Decimal("0.01"))
            created = completed
            commission = MarketerEarnedCommission.objects.create(
                company=company,
                affiliation=marketer,
                purchase=sale,
                rate=Decimal("5.00"),
                amount=amount,
                status=status,
                approved_at=when(approved_at) if status in ("approved", "paid") else None,
                paid_at=when(paid_at) if status == "paid" else None,
            )
            MarketerEarnedCommission.objects.filter(pk=commission.pk).update(created_at=created)
            movements = []
            if status != CommissionStatus.CANCELLED:
                movements.append((2, created))
            if status in ("approved", "paid"):
                movements.append((3, when(approved_at)))
            if status == "paid":
                movements.append((4, when(paid_at)))
            for index, moment in movements:
                mine = expected_marketers.setdefault(
                    (company.pk, marketer.pk, local_day(moment)), [0, Decimal(0)] + [Decimal(0)] * 3
                )
                mine[index] += amount
    for spec in events:
        place = world[spec["company"]]
        user = place["clients"][spec["user"]].user
        moment = when(spec["at"])
        AnalyticsEvent.objects.create(
            event_id=uuid.uuid4(),
            company_id=place["company"].pk,
            user_id=user.pk,
            role=spec["role"],
            kind=spec["kind"],
            occurred_at=moment,
        )
        counts = expected_events.setdefault((place["company"].pk, local_day(moment)), {})
        counts[spec["kind"]] = counts.get(spec["kind"], 0) + 1
    return expected_sales, expected_marketers, expected_events


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    purchases=st.lists(purchase, max_size=12),
    events=st.lists(event, max_size=20),
)
def test_rollups_equal_a_direct_count_of_random_activity(purchases, events):
    # Each example in a savepoint, rolled back at its end.
    with transaction.atomic():
        world = make_world()
        expected_sales, expected_marketers, expected_events = _generate(world, purchases, events)
        days = [FIRST - timedelta(days=1) + timedelta(days=n) for n in range(DAYS + 2)]
        rollups_build(first=days[0], last=days[-1])

        sales = {
            (row.company_id, row.estate_id, row.day): [
                row.completed_count,
                row.completed_value,
                row.completed_sqm,
                row.pending_count,
                row.pending_value,
                row.pending_sqm,
            ]
            for row in EstateDailySales.objects.all()
        }
        assert sales == {k: v for k, v in expected_sales.items() if k[2] in days}
        marketers = {
            (row.company_id, row.affiliation_id, row.day): [
                row.sales_count,
                row.sales_value,
                row.commission_earned,
                row.commission_approved,
                row.commission_paid,
            ]
            for row in MarketerDailyPerformance.objects.all()
        }
        assert marketers == {k: v for k, v in expected_marketers.items() if k[2] in days}
        activity = {
            (row.company_id, row.day): {
                "login": row.logins,
                "plot_view": row.plot_views,
                "estate_view": row.estate_views,
                "search": row.searches,
                "export": row.exports,
            }
            for row in CompanyDailyActivity.objects.all()
        }
        # A row for each company and day, counting exactly the day's events.
        assert set(activity) == {(place["company"].pk, day) for place in world for day in days}
        for key, counts in activity.items():
            wanted = expected_events.get(key, {})
            assert counts == {kind: wanted.get(kind, 0) for kind in counts}
        transaction.set_rollback(True)


def rollup_rows() -> list[list[dict]]:
    return [
        list(model.objects.order_by("pk").values(*[f.name for f in model._meta.fields][1:]))
        for model in (CompanyDailyActivity, EstateDailySales, MarketerDailyPerformance)
    ]


def test_rebuilding_a_day_replaces_it():
    month = october()
    day = date(2026, 10, 3)
    first = rollups_build(first=day, last=day)
    snapshot = rollup_rows()
    assert rollups_build(first=day, last=day) == first
    again = rollup_rows()
    assert again == snapshot
    # A sale cancelled since: the rebuilt day no longer counts it.
    PlotPurchase.objects.filter(company=month.company, completed_at__date=day).update(
        status=PurchaseStatus.CANCELLED
    )
    rollups_build(first=day, last=day, company_ids=[month.company.pk])
    assert not EstateDailySales.objects.filter(day=day).exists()


def test_rebuilding_one_company_leaves_the_others_alone():
    month = october()
    other = october()
    day = date(2026, 10, 3)
    rollups_build(first=day, last=day)
    EstateDailySales.objects.filter(company=other.company).update(completed_count=99)
    rollups_build(first=day, last=day, company_ids=[month.company.pk])
    assert EstateDailySales.objects.get(company=other.company).completed_count == 99
    assert EstateDailySales.objects.get(company=month.company).completed_count == 1


def test_the_nightly_task_builds_yesterday(company):
    from apps.analytics.tasks import build_daily_rollups

    Company.objects.filter(pk=company.pk).update(created_at=timezone.now() - timedelta(days=2))
    newer = CompanyFactory()  # created today: not a company yesterday
    written = build_daily_rollups()
    yesterday = timezone.localdate() - timedelta(days=1)
    assert (
        written["company_activity"]
        == Company.objects.filter(created_at__lt=timezone.now() - timedelta(days=1)).count()
    )
    assert CompanyDailyActivity.objects.get(company=company).day == yesterday
    assert not CompanyDailyActivity.objects.filter(company=newer).exists()


def test_the_command_rebuilds_a_range_for_one_company():
    month = october()
    out = StringIO()
    call_command(
        "rebuild_analytics",
        "--from",
        "2026-10-01",
        "--to",
        "2026-10-31",
        "--company",
        str(month.company.pk),
        stdout=out,
    )
    assert "company_activity: 31 rows over 31 days" in out.getvalue()
    assert "estate_sales: 3 rows over 31 days" in out.getvalue()
    assert CompanyDailyActivity.objects.filter(company=month.company).count() == 31


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--from", "2026-10-32", "--to", "2026-10-31"], "--from must be a date as YYYY-MM-DD"),
        (["--from", "2026-10-01", "--to", "tomorrow"], "--to must be a date as YYYY-MM-DD"),
        (["--from", "2026-10-05", "--to", "2026-10-01"], "is after --to"),
        (["--from", "2026-10-01", "--to", "2999-01-01"], "is in the future"),
        (["--from", "2000-01-01", "--to", "2026-10-01"], "more than 3660 days"),
        (["--from", "2026-10-01", "--to", "2026-10-02", "--company", "abc"], "no company"),
        (["--from", "2026-10-01", "--to", "2026-10-02", "--company", "999999"], "no company"),
        (["--to", "2026-10-02"], "--from"),
        ([], "--from and --to"),
        (["--days", "0"], "--days must be a whole number"),
        (["--days", "two"], "--days must be a whole number"),
        (["--days", "\u00b2"], "--days must be a whole number"),
        (["--from", "0001-01-01", "--to", "0001-01-02"], "2000-01-01 or later"),
        (["--from", "2026-W40", "--to", "2026-10-02"], "--from must be a date as YYYY-MM-DD"),
        (["--from", "20261001", "--to", "2026-10-02"], "--from must be a date as YYYY-MM-DD"),
        (["--days", "3661"], "--days must be a whole number"),
        (["--days", "2", "--from", "2026-10-01"], "not both"),
    ],
)
def test_bad_command_arguments_are_a_clear_error_and_build_nothing(arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("rebuild_analytics", *arguments)
    assert not CompanyDailyActivity.objects.exists()


def test_days_rebuilds_the_days_up_to_today():
    with time_machine.travel(timezone.now() - timedelta(days=5), tick=False):
        company = CompanyFactory()
    out = StringIO()
    call_command("rebuild_analytics", "--days", "2", "--company", str(company.pk), stdout=out)
    today = timezone.localdate()
    assert f"Rebuilt {today - timedelta(days=1)} to {today} for company {company.pk}." in (
        out.getvalue()
    )
    days = CompanyDailyActivity.objects.filter(company=company).values_list("day", flat=True)
    assert sorted(days) == [today - timedelta(days=1), today]
