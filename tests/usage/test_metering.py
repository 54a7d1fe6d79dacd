"""Metering: admitted requests counted per company per day, flushed into UsageRecord, and
read back by the usage selectors."""

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from apps.core.roles import Role
from apps.usage import selectors, services
from apps.usage.counters import RedisCounterStore, company_windows, counter_store
from apps.usage.models import UsageRecord
from apps.usage.selectors import LimitUsage, UsageSummary
from apps.usage.services import usage_flush
from apps.usage.tasks import flush_usage_counters
from tests.accounts.factories import UserFactory
from tests.companies.factories import CompanyFactory, TrialCompanyFactory
from tests.conftest import client_for
from tests.estates.factories import PlotFactory
from tests.usage.callers import CompanyCaller, get_company

pytestmark = pytest.mark.django_db

UNLIMITED = 10**9


def record_request(company_id: int, at: datetime | None = None, times: int = 1) -> None:
    """Admitted requests for ``company_id``, counted as the throttle counts them."""
    windows = company_windows(
        company_id=company_id,
        caller="u1",
        role=Role.COMPANY_ADMIN,
        hourly_limit=UNLIMITED,
        daily_limit=UNLIMITED,
        now=at,
    )
    for _ in range(times):
        assert counter_store().hit_company(windows).admitted


def metered_today(company_id: int) -> int:
    today = timezone.localdate()
    return selectors.api_calls_for_period(company_id=company_id, start=today, end=today)


def usage_rows() -> set[tuple[int, date, int]]:
    return set(UsageRecord.objects.values_list("company_id", "day", "api_calls"))


# --- counting requests ------------------------------------------------------------------------


def test_admitted_api_requests_are_metered_and_refused_ones_are_not(
    trial_caller: CompanyCaller,
) -> None:
    responses = [
        *trial_caller.get_company(times=60),
        *[trial_caller.user_client.get("/api/usage/") for _ in range(40)],
        *trial_caller.get_company(times=3),  # over the admin's hourly limit of 100
    ]

    assert [response.status_code for response in responses].count(429) == 3
    assert metered_today(trial_caller.company.pk) == 100


def test_every_admitted_call_of_the_company_is_metered_whoever_makes_it(
    trial_caller: CompanyCaller,
) -> None:
    marketer = trial_caller.another_member()
    responses = [
        *get_company(marketer, times=101),  # the 101st over the marketer's hour
        *trial_caller.get_company(times=30),
        *get_company(trial_caller.key_client, times=20),
        *get_company(trial_caller.another_key(), times=5),
    ]

    assert [response.status_code for response in responses].count(429) == 1
    assert metered_today(trial_caller.company.pk) == 100 + 30 + 20 + 5


def test_requests_refused_by_a_share_or_the_daily_cap_are_not_metered() -> None:
    caller = CompanyCaller(CompanyFactory(max_api_calls_daily=5))  # 2 each

    responses = [
        *caller.get_company(times=3),
        *get_company(caller.key_client, times=3),
        *get_company(caller.another_member(), times=2),
    ]

    assert [response.status_code for response in responses] == [200, 200, 429] * 2 + [200, 429]
    assert metered_today(caller.company.pk) == 5


def test_requests_without_a_company_are_not_metered(trial_caller: CompanyCaller) -> None:
    trial_caller.user_client.post(
        "/api/auth/login/", {"email": "nobody@example.ng", "password": "wrong"}, format="json"
    )
    trial_caller.user_client.get("/api/plans/")
    trial_caller.user_client.get("/healthz")
    assert client_for(UserFactory()).get("/api/auth/me/").status_code == 200  # no company

    assert metered_today(trial_caller.company.pk) == 0
    assert counter_store().metered(timezone.localdate().strftime("%Y%m%d")) == {}


# --- the flush --------------------------------------------------------------------------------


def test_flush_writes_one_record_per_company_per_day() -> None:
    first, second = CompanyFactory(), CompanyFactory()
    today = timezone.localdate()
    record_request(first.pk, times=3)
    record_request(second.pk, times=5)

    summary = usage_flush()

    assert summary.records_written == 2
    assert summary.days[0] == today
    assert usage_rows() == {(first.pk, today, 3), (second.pk, today, 5)}


def test_flush_is_idempotent() -> None:
    first, second = CompanyFactory(), CompanyFactory()
    today = timezone.localdate()
    record_request(first.pk, times=3)
    record_request(second.pk, times=5)
    usage_flush()

    again = usage_flush()

    assert again.records_written == 0
    assert usage_rows() == {(first.pk, today, 3), (second.pk, today, 5)}
    assert UsageRecord.objects.count() == 2


def test_flush_writes_totals_so_later_requests_raise_the_record() -> None:
    company = CompanyFactory()
    record_request(company.pk, times=3)
    usage_flush()
    record_request(company.pk, times=4)

    summary = usage_flush()

    assert summary.records_written == 1
    assert usage_rows() == {(company.pk, timezone.localdate(), 7)}


def test_a_flush_that_crashes_midway_loses_nothing_when_rerun(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, second = CompanyFactory(), CompanyFactory()
    today = timezone.localdate()
    record_request(first.pk, times=3)
    record_request(second.pk, times=5)
    real_record = services._record
    flushed: list[int] = []

    def crash_on_the_second_company(**record: Any) -> int:
        flushed.append(record["company_id"])
        if len(flushed) == 2:
            raise ConnectionError("the database went away")
        return real_record(**record)

    monkeypatch.setattr(services, "_record", crash_on_the_second_company)
    with pytest.raises(ConnectionError):
        usage_flush()
    written_before_the_crash = flushed[0]
    counts = {first.pk: 3, second.pk: 5}
    assert usage_rows() == {(written_before_the_crash, today, counts[written_before_the_crash])}

    usage_flush()

    assert usage_rows() == {(first.pk, today, 3), (second.pk, today, 5)}


def test_a_record_never_goes_down() -> None:
    # Flushed before Redis lost its counters; the counter now starts again from zero.
    company = CompanyFactory()
    today = timezone.localdate()
    UsageRecord.objects.create(company=company, day=today, api_calls=50)
    record_request(company.pk, times=3)

    summary = usage_flush()

    assert summary.records_written == 0
    assert usage_rows() == {(company.pk, today, 50)}


def test_flush_after_midnight_still_writes_yesterdays_count() -> None:
    company = CompanyFactory()
    yesterday = timezone.now() - timedelta(days=1)
    record_request(company.pk, at=yesterday, times=4)
    record_request(company.pk, times=2)

    usage_flush()

    assert usage_rows() == {
        (company.pk, timezone.localdate(yesterday), 4),
        (company.pk, timezone.localdate(), 2),
    }


def test_the_celery_task_runs_the_flush() -> None:
    company = CompanyFactory()
    record_request(company.pk, times=3)

    result = flush_usage_counters.delay()

    assert result.get() == 1
    assert usage_rows() == {(company.pk, timezone.localdate(), 3)}
    assert flush_usage_counters.name == "usage.flush_counters"


def test_beat_runs_the_flush_every_five_minutes() -> None:
    scheduled = {
        entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }

    assert scheduled["usage.flush_counters"] == 300.0


@pytest.mark.redis
@pytest.mark.usefixtures("redis_counters")
def test_flush_reads_the_redis_counters(trial_caller: CompanyCaller) -> None:
    other = CompanyCaller(CompanyFactory())
    trial_caller.get_company(times=102)  # 100 admitted, 2 refused
    other.get_company(times=3)
    today = timezone.localdate()

    summary = usage_flush()
    again = usage_flush()

    assert isinstance(counter_store(), RedisCounterStore)
    assert summary.records_written == 2
    assert again.records_written == 0
    assert usage_rows() == {
        (trial_caller.company.pk, today, 100),
        (other.company.pk, today, 3),
    }


# --- selectors --------------------------------------------------------------------------------


def test_api_calls_for_period_adds_flushed_records_and_live_counts() -> None:
    company, other = CompanyFactory(), CompanyFactory()
    now = timezone.now()
    today = timezone.localdate(now)
    for days_ago, calls in [(40, 1_000), (20, 5), (10, 40), (1, 7), (0, 2)]:
        UsageRecord.objects.create(
            company=company, day=today - timedelta(days=days_ago), api_calls=calls
        )
    UsageRecord.objects.create(company=other, day=today - timedelta(days=10), api_calls=999)
    record_request(company.pk, at=now - timedelta(days=1), times=9)  # not flushed since
    record_request(company.pk, times=3)
    record_request(other.pk, times=11)

    total = selectors.api_calls_for_period(
        company_id=company.pk, start=today - timedelta(days=30), end=today
    )

    # 5 + 40 from records; yesterday and today from the live counters, which are ahead.
    assert total == 5 + 40 + 9 + 3


def test_api_calls_for_period_keeps_flushed_counts_the_live_counters_lost() -> None:
    company = CompanyFactory()
    today = timezone.localdate()
    UsageRecord.objects.create(company=company, day=today, api_calls=50)
    record_request(company.pk, times=3)

    assert selectors.api_calls_for_period(company_id=company.pk, start=today, end=today) == 50


def test_api_calls_for_period_of_past_days_uses_records_only() -> None:
    company = CompanyFactory()
    today = timezone.localdate()
    UsageRecord.objects.create(company=company, day=today - timedelta(days=10), api_calls=40)
    record_request(company.pk, times=3)

    total = selectors.api_calls_for_period(
        company_id=company.pk, start=today - timedelta(days=15), end=today - timedelta(days=5)
    )

    assert total == 40


def test_api_calls_for_companies_gives_what_api_calls_for_period_gives_each() -> None:
    """Many companies at once (the database sums the flushed days, the live days are
    topped up apart) come to the same totals as one company at a time."""
    busy, lost, quiet, live_only, nothing = (CompanyFactory() for _ in range(5))
    outsider = CompanyFactory()
    now = timezone.now()
    today = timezone.localdate(now)
    for company, days_ago, calls in [
        (busy, 40, 1_000),
        (busy, 20, 5),
        (busy, 10, 40),
        (busy, 1, 7),
        (busy, 0, 2),
        (lost, 5, 1),
        (lost, 1, 8),
        (lost, 0, 50),
        (quiet, 12, 30),
        (outsider, 10, 999),
    ]:
        UsageRecord.objects.create(
            company=company, day=today - timedelta(days=days_ago), api_calls=calls
        )
    record_request(busy.pk, at=now - timedelta(days=1), times=9)  # ahead of the record
    record_request(busy.pk, times=3)
    record_request(lost.pk, times=3)  # behind the record: the counters lost some
    record_request(live_only.pk, at=now - timedelta(days=2), times=4)
    record_request(outsider.pk, times=11)
    companies = [busy, lost, quiet, live_only, nothing]
    ids = [company.pk for company in companies]

    for start, end in [
        (today - timedelta(days=30), today),
        (today - timedelta(days=15), today - timedelta(days=5)),
        (today - timedelta(days=1), today - timedelta(days=1)),
        (today - timedelta(days=45), today - timedelta(days=2)),
    ]:
        totals = selectors.api_calls_for_companies(company_ids=ids, start=start, end=end)
        assert totals == {
            company.pk: selectors.api_calls_for_period(company_id=company.pk, start=start, end=end)
            for company in companies
        }

    last_30_days = selectors.api_calls_for_companies(
        company_ids=ids, start=today - timedelta(days=30), end=today
    )
    assert last_30_days == {
        busy.pk: 5 + 40 + 9 + 3,
        lost.pk: 1 + 8 + 50,
        quiet.pk: 30,
        live_only.pk: 4,
        nothing.pk: 0,
    }


def test_plots_count_for_companies_counts_each_companys_plots_at_a_moment() -> None:
    company, other, empty = CompanyFactory(), CompanyFactory(), CompanyFactory()
    PlotFactory.create_batch(3, estate__company=company)
    old_plot = PlotFactory(estate__company=other)
    PlotFactory(estate__company=other)
    now = timezone.now()
    type(old_plot).objects.filter(pk=old_plot.pk).update(created_at=now - timedelta(days=10))
    ids = [company.pk, other.pk, empty.pk]

    assert selectors.plots_count_for_companies(company_ids=ids, at=now) == {
        company.pk: 3,
        other.pk: 2,
        empty.pk: 0,
    }
    assert selectors.plots_count_for_companies(company_ids=ids, at=now - timedelta(days=5)) == {
        company.pk: 0,
        other.pk: 1,
        empty.pk: 0,
    }


def test_plots_count_counts_the_companys_plots_at_a_moment() -> None:
    company = CompanyFactory()
    old_plot = PlotFactory(estate__company=company)
    PlotFactory.create_batch(2, estate__company=company)
    PlotFactory(estate__company=CompanyFactory())
    now = timezone.now()
    type(old_plot).objects.filter(pk=old_plot.pk).update(created_at=now - timedelta(days=10))

    assert selectors.plots_count(company_id=company.pk) == 3
    assert selectors.plots_count(company_id=company.pk, at=now - timedelta(days=5)) == 1
    assert selectors.plots_count(company_id=company.pk, at=now - timedelta(days=20)) == 0


def test_usage_summary_reports_usage_against_the_limits() -> None:
    company = TrialCompanyFactory()
    PlotFactory.create_batch(2, estate__company=company)
    today = timezone.localdate()
    last_month = today.replace(day=1) - timedelta(days=1)
    UsageRecord.objects.create(company=company, day=last_month, api_calls=500)
    record_request(company.pk, times=4)  # by user 1

    for_user_1 = selectors.usage_summary(
        company_id=company.pk,
        user_id=1,
        api_key_id=None,
        role=Role.COMPANY_ADMIN,
        hourly_limit=100,
        daily_limit=1000,
        max_plots=100,
    )
    for_a_key = selectors.usage_summary(
        company_id=company.pk,
        user_id=None,
        api_key_id=1,
        role=Role.COMPANY_ADMIN,
        hourly_limit=100,
        daily_limit=1000,
        max_plots=100,
    )

    hour_ends = for_user_1.caller_hourly.resets_at
    day_ends = for_user_1.company_daily.resets_at
    assert for_user_1 == UsageSummary(
        caller_hourly=LimitUsage(used=4, limit=100, resets_at=hour_ends),
        caller_daily=LimitUsage(used=4, limit=500, resets_at=day_ends),
        members_daily=LimitUsage(used=0, limit=500, resets_at=day_ends),
        company_daily=LimitUsage(used=4, limit=1000, resets_at=day_ends),
        month_to_date=4,
        plots=2,
        max_plots=100,
    )
    assert (for_a_key.caller_hourly.used, for_a_key.caller_daily.used) == (0, 0)
    assert for_a_key.company_daily == for_user_1.company_daily
    assert (timezone.localtime(hour_ends).minute, timezone.localtime(hour_ends).second) == (0, 0)
    assert (timezone.localtime(day_ends).hour, timezone.localtime(day_ends).minute) == (0, 0)
    assert timezone.now() < hour_ends <= day_ends
