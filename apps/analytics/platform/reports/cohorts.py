"""Cohort retention: companies by signup month, and how many of each still pay at the end
of every month after."""

from collections import defaultdict
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from apps.analytics.platform.periods import month_end, periods_between
from apps.analytics.platform.reports.common import latest_day, rate
from apps.analytics.platform_models import ZERO, PlatformCompanyDay


def _month_ends(start: date, end: date) -> list[date]:
    return [month_end(period.start) for period in periods_between(start, end, "month")]


def cohort_report(*, start: date, end: date) -> list[dict[str, Any]]:
    """One row per signup month (from ``start``'s month to ``end``'s) and month since
    signup: the cohort's size, how many of it paid at that month's end and their MRR.

    A cohort's size is its companies on the last day rolled up (at most ``end``); each
    month's end is its last day, or that last day for the month still running.
    """
    last = latest_day(end)
    if last is None:
        return []
    first = start.replace(day=1)
    ends = [day for day in _month_ends(first, last) if day < last] + [last]
    cohort_of = TruncMonth("signup_date")
    in_cohorts = PlatformCompanyDay.objects.filter(signup_date__range=(first, last))
    sizes = {
        _as_date(cohort): companies
        for cohort, companies in in_cohorts.filter(day=last)
        .annotate(cohort=cohort_of)
        .order_by()
        .values("cohort")
        .annotate(companies=Count("*"))
        .values_list("cohort", "companies")
    }
    paying: dict[tuple[date, date], tuple[int, Any]] = defaultdict(lambda: (0, ZERO))
    for day, cohort, count, mrr in (
        in_cohorts.filter(day__in=ends)
        .annotate(cohort=cohort_of)
        .order_by()
        .values("day", "cohort")
        .annotate(paying=Count("pk", filter=Q(mrr__gt=0)), mrr_sum=Sum("mrr"))
        .values_list("day", "cohort", "paying", "mrr_sum")
    ):
        paying[_as_date(cohort), day] = (count, mrr or ZERO)
    rows = []
    for cohort, size in sorted(sizes.items()):
        for offset, day in enumerate(day for day in ends if day >= cohort):
            count, mrr = paying[cohort, day]
            rows.append(
                {
                    "cohort": f"{cohort:%Y-%m}",
                    "months_since_signup": offset,
                    "month": f"{day:%Y-%m}",
                    "as_of": day,
                    "companies": size,
                    "paying": count,
                    "retention_rate": rate(count, size),
                    "mrr": mrr,
                }
            )
    return rows


def _as_date(value: Any) -> date:
    # TruncMonth of a DateField is a date; a backend answering a datetime is read alike.
    return value.date() if isinstance(value, datetime) else value
