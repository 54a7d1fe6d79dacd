"""Benchmark: the nightly analytics roll-up for BENCH_COMPANIES (10,000) companies with a
month of activity, on PostgreSQL.

Run with `make bench` (or `python bench/analytics_rollup.py`), DATABASE_URL pointing at a
PostgreSQL server (a throwaway database beside it is created and dropped).

Method:
1. bench/analytics_seed.py writes, with set-based SQL, BENCH_COMPANIES companies, each
   with an admin, a marketer and a client account, two estates, plots, five clients,
   BENCH_PURCHASES_PER_COMPANY (10) purchases in the month (a third pending, half through
   the marketer, with commissions, half of them approved), a usage record for every day
   and BENCH_EVENTS_PER_DAY (5) activity events a day: the 30 days up to yesterday.
2. The nightly run, as beat's task does it: every registered builder for yesterday, for
   every company, timed (median of BENCH_REPEATS, 3; a rebuild replaces the day, so each
   repeat does the full work) with its SQL statements counted.
3. For scale, the whole month rebuilt once (`rebuild_analytics` for 30 days).

Prints a table and writes bench/results/analytics_rollup.json. Target: the nightly run
in at most 60 s. Not a test: numbers, no asserts.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.update({"DEBUG": "false", "LOG_LEVEL": "WARNING", "SENTRY_DSN": ""})

import django

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from apps.analytics.models import (  # noqa: E402
    CompanyDailyActivity,
    EstateDailySales,
    MarketerDailyPerformance,
)
from apps.analytics.services import rollups_build  # noqa: E402
from bench.analytics_seed import seed  # noqa: E402
from bench.server_harness import ROOT, machine, throwaway_database  # noqa: E402

COMPANIES = int(os.environ.get("BENCH_COMPANIES", "10000"))
DAYS = 30
EVENTS_PER_DAY = int(os.environ.get("BENCH_EVENTS_PER_DAY", "5"))
PURCHASES = int(os.environ.get("BENCH_PURCHASES_PER_COMPANY", "10"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
TARGET_SECONDS = 60.0


class StatementCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def timed_build(first: Any, last: Any) -> tuple[float, int, dict[str, int]]:
    counter = StatementCounter()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        written = rollups_build(first=first, last=last)
        seconds = time.perf_counter() - started
    return seconds, counter.count, written


def run() -> dict[str, Any]:
    yesterday = timezone.localdate() - timedelta(days=1)
    first_day = yesterday - timedelta(days=DAYS - 1)
    started = time.perf_counter()
    seed(
        companies=COMPANIES,
        first_day=first_day,
        days=DAYS,
        purchases_per_company=PURCHASES,
        events_per_company_day=EVENTS_PER_DAY,
    )
    seeding = time.perf_counter() - started
    with connection.cursor() as cursor:
        counts = {}
        for table in (
            "companies_company",
            "estates_plotpurchase",
            "marketers_marketerearnedcommission",
            "usage_usagerecord",
            "analytics_analyticsevent",
        ):
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - our table names
            counts[table] = cursor.fetchone()[0]
    print(f"seeded in {seeding:.1f} s: {counts}")

    nightly = []
    for repeat in range(1, REPEATS + 1):
        seconds, statements, written = timed_build(yesterday, yesterday)
        nightly.append({"seconds": round(seconds, 2), "statements": statements, "rows": written})
        print(f"nightly run {repeat}: {seconds:6.2f} s, {statements} SQL statements, {written}")
    month_seconds, month_statements, month_written = timed_build(first_day, yesterday)
    print(f"the month rebuilt: {month_seconds:6.2f} s, {month_statements} statements")
    rows = {
        "company_daily_activity": CompanyDailyActivity.objects.count(),
        "estate_daily_sales": EstateDailySales.objects.count(),
        "marketer_daily_performance": MarketerDailyPerformance.objects.count(),
    }
    median = statistics.median(run["seconds"] for run in nightly)
    return {
        "raw_rows": counts,
        "seeding_seconds": round(seeding, 1),
        "nightly_runs": nightly,
        "nightly_median_seconds": median,
        "nightly_over_target": round(median / TARGET_SECONDS, 3),
        "month_rebuild": {
            "days": DAYS,
            "seconds": round(month_seconds, 2),
            "statements": month_statements,
            "seconds_per_day": round(month_seconds / DAYS, 2),
            "rows": month_written,
        },
        "rollup_rows_after": rows,
    }


def main() -> None:
    load_before = os.getloadavg()
    with throwaway_database("analytics_rollup"):
        outcome = run()
    result = {
        "measured_at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
        "machine": machine(load_before),
        "settings": {
            "companies": COMPANIES,
            "days_of_activity": DAYS,
            "events_per_company_day": EVENTS_PER_DAY,
            "purchases_per_company": PURCHASES,
            "repeats": REPEATS,
        },
        "target": f"the nightly run (yesterday, every company) in at most {TARGET_SECONDS:.0f} s",
        **outcome,
    }
    print()
    print(f"{'run':<28}{'seconds':>10}{'SQL statements':>16}")
    print(
        f"{'nightly (median)':<28}{result['nightly_median_seconds']:>10.2f}"
        f"{result['nightly_runs'][0]['statements']:>16}"
    )
    month = result["month_rebuild"]
    print(f"{'30 days rebuilt':<28}{month['seconds']:>10.2f}{month['statements']:>16}")
    print(
        f"nightly / target: {result['nightly_over_target']:.3f}"
        f" ({result['nightly_median_seconds']:.2f} s of {TARGET_SECONDS:.0f} s)"
    )
    out = ROOT / "bench" / "results" / "analytics_rollup.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
