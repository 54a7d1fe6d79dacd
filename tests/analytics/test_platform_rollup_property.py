"""The platform roll-up equals a direct count over the raw history, for random platforms
(seeded): each day's MRR per tier, paying companies, and MRR's bridge from day to day."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.analytics.models import PlatformCompanyDay, PlatformTierDay
from apps.analytics.platform.rollup import build_platform_range
from apps.companies.models import Company, Plan, SubscriptionChange
from tests.analytics.platform_demo import make_demo

pytestmark = pytest.mark.django_db

START, END = date(2026, 8, 1), date(2026, 9, 30)


def _direct(day: date) -> tuple[dict[str, Decimal], dict[str, int]]:
    """MRR and paying companies per tier at the end of ``day``, straight from the
    history: the last change before the day's end decides, a day at a time."""
    fees = dict(Plan.objects.values_list("code", "monthly_fee"))
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    last: dict[int, tuple[str, str]] = {}
    for change in SubscriptionChange.objects.filter(changed_at__lt=end).order_by(
        "changed_at", "id"
    ):
        last[change.company_id] = (change.tier, change.status)
    existing = set(Company.objects.filter(created_at__lt=end).values_list("pk", flat=True))
    mrr: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    paying: dict[str, int] = defaultdict(int)
    for company_id, (tier, status) in last.items():
        if company_id in existing and status in ("active", "past_due"):
            mrr[tier] += fees[tier]
            paying[tier] += 1
    return mrr, paying


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_day_matches_the_history(seed):
    make_demo(companies=30, start=date(2026, 6, 1), end=END, seed=seed)
    build_platform_range(start=START - timedelta(days=1), end=END)
    tiers = defaultdict(dict)
    for row in PlatformTierDay.objects.all():
        tiers[row.day][row.tier] = row
    day = START
    while day <= END:
        mrr, paying = _direct(day)
        for code, row in tiers[day].items():
            assert (row.mrr, row.paying) == (mrr[code], paying[code]), (seed, day, code)
        opening = sum(row.mrr for row in tiers[day - timedelta(days=1)].values())
        closing = sum(row.mrr for row in tiers[day].values())
        moved = sum(
            row.new_mrr
            + row.expansion_mrr
            + row.reactivation_mrr
            - row.contraction_mrr
            - row.churned_mrr
            for row in tiers[day].values()
        )
        assert opening + moved == closing, (seed, day)
        day += timedelta(days=1)
    # Every company row's movement agrees with its own MRR before and after.
    for row in PlatformCompanyDay.objects.filter(day__gte=START):
        assert (row.movement == "") == (row.mrr == row.previous_mrr), (seed, row.pk)
