"""The subscription history as billing reads it: the days of a period on each tier."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from apps.companies.models import SubscriptionStatus, Tier
from apps.companies.selectors import BILLABLE_STATUSES, TierDays, _day_ends, _days_per_tier

START, END = date(2026, 10, 1), date(2026, 10, 31)
# From five days before the period to five days after it, in minutes; exact midnights
# drawn often, as a change at midnight belongs to the day before it.
MINUTES = 41 * 24 * 60
FROM = timezone.make_aware(datetime.combine(START - timedelta(days=5), time.min))
moments = st.one_of(
    st.integers(0, MINUTES).map(lambda minute: FROM + timedelta(minutes=minute)),
    st.integers(0, 41).map(lambda day: FROM + timedelta(days=day)),
)
changes = st.lists(
    st.tuples(moments, st.sampled_from(Tier.values), st.sampled_from(SubscriptionStatus.values)),
    max_size=8,
).map(sorted)


def days_one_by_one(
    history: list[tuple[datetime, str, str]], start: date, end: date
) -> list[TierDays]:
    """The rule as written: each day at the tier and status in effect at its end."""
    days: dict[str, int] = {}
    day = start
    while day <= end:
        day_end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
        in_effect = [change for change in history if change[0] < day_end]
        if in_effect and in_effect[-1][2] in BILLABLE_STATUSES:
            tier = in_effect[-1][1]
            days[tier] = days.get(tier, 0) + 1
        day += timedelta(days=1)
    return [TierDays(tier=tier, days=count) for tier, count in days.items()]


@given(changes)
def test_days_per_tier_counts_each_day_at_the_tier_and_status_in_effect_at_its_end(history):
    day_ends = _day_ends(START, END, timezone.get_current_timezone())

    assert _days_per_tier(history, day_ends) == days_one_by_one(history, START, END)


def test_a_change_at_midnight_counts_from_that_day_and_one_during_a_day_for_all_of_it():
    def at(day: int, hour: int = 0) -> datetime:
        return timezone.make_aware(datetime.combine(date(2026, 10, day), time(hour)))

    history = [
        (at(1) - timedelta(days=40), Tier.STARTER, SubscriptionStatus.ACTIVE),
        (at(11), Tier.PROFESSIONAL, SubscriptionStatus.ACTIVE),
        (at(20, 15), Tier.PROFESSIONAL, SubscriptionStatus.SUSPENDED),
    ]

    assert _days_per_tier(history, _day_ends(START, END, timezone.get_current_timezone())) == [
        TierDays(tier=Tier.STARTER, days=10),
        TierDays(tier=Tier.PROFESSIONAL, days=9),
    ]
