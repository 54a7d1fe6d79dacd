"""Benchmark: the nightly platform roll-up (apps.analytics.platform.rollup) for 10,000
companies on PostgreSQL, and the staff reports over what it wrote.

Run with `make bench` (or `python bench/analytics_platform.py`), DATABASE_URL pointing at
PostgreSQL (a throwaway database beside it is created and dropped; BENCH_KEEPDB=1 keeps
it) and REDIS_URL at a Redis (the usage counters of the days not yet flushed are read from
it). BENCH_COMPANIES (10,000) companies are loaded in bulk with the seeded history of
tests/analytics/platform_demo.py: signups over ten months, most on a trial, conversions,
upgrades, downgrades, suspensions, reactivations and cancellations with reasons, a
monthly invoice for each paying month (paid late, or not yet), and a month of API calls
(one usage record per paying company and day).

Timed, in this process: the roll-up of the last day (what the nightly task does), three
times (a day rebuilt replaces itself), with its queries counted; the rebuild of the whole
last month (`rebuild_analytics` for 31 days); then each staff report over that month by
day and by week (in-process, not through HTTP: the reports read the roll-up tables
only, a few queries each, whatever the number of companies).

Prints a table and writes bench/results/analytics_platform.json. Not a test: numbers, no
asserts.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.update({"DJANGO_ENV": "development", "DEBUG": "false", "LOG_LEVEL": "WARNING"})
os.environ.setdefault("SENTRY_DSN", "")

import django  # noqa: E402

from config.env import select_settings_module  # noqa: E402

select_settings_module()
django.setup()

from django.db import connection  # noqa: E402

from bench.server_harness import machine, throwaway_database  # noqa: E402

COMPANIES = int(os.environ.get("BENCH_COMPANIES", "10000"))
RUNS = 3
TARGET_SECONDS = 60


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        self.count += 1
        return execute(sql, params, many, context)


def timed(call):  # type: ignore[no-untyped-def]
    counter = QueryCounter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        result = call()
    return time.perf_counter() - started, counter.count, result


def main() -> None:
    from apps.analytics.platform.reports.churn import churn_report
    from apps.analytics.platform.reports.cohorts import cohort_report
    from apps.analytics.platform.reports.revenue import revenue_report
    from apps.analytics.platform.reports.usage import usage_report
    from apps.analytics.platform.rollup import build_platform_day, build_platform_range
    from tests.analytics.platform_demo import make_demo

    load_before = os.getloadavg()
    end = date.today() - timedelta(days=1)  # noqa: DTZ011 - the nightly run's day, here
    month_start = end - timedelta(days=30)
    with throwaway_database("analytics_platform"):
        started = time.perf_counter()
        make_demo(companies=COMPANIES, start=end - timedelta(days=300), end=end)
        load_seconds = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        nightly = [timed(lambda: build_platform_day(end)) for _ in range(RUNS)]
        month_seconds, month_queries, rows = timed(
            lambda: build_platform_range(start=month_start, end=end)
        )
        reports = {}
        for granularity in ("day", "week"):
            args = {"start": month_start, "end": end, "granularity": granularity}
            reports[f"revenue by {granularity}"] = timed(lambda a=args: revenue_report(**a))
            reports[f"churn by {granularity}"] = timed(lambda a=args: churn_report(**a))
            reports[f"usage by {granularity}"] = timed(lambda a=args: usage_report(**a, limit=10))
        reports["cohorts"] = timed(lambda: cohort_report(start=month_start, end=end))

    seconds = [run[0] for run in nightly]
    result = {
        "benchmark": "analytics_platform",
        "companies": COMPANIES,
        "day": end.isoformat(),
        "load_seconds": round(load_seconds, 1),
        "nightly_day": {
            "runs_seconds": [round(s, 2) for s in seconds],
            "median_seconds": round(statistics.median(seconds), 2),
            "queries": nightly[0][1],
            "rows": nightly[0][2],
            "target_seconds": TARGET_SECONDS,
            "ratio_to_target": round(statistics.median(seconds) / TARGET_SECONDS, 3),
        },
        "month_rebuild": {
            "days": 31,
            "seconds": round(month_seconds, 1),
            "queries": month_queries,
            "rows": rows,
        },
        "reports_ms": {
            name: {"ms": round(run[0] * 1000, 1), "queries": run[1]}
            for name, run in reports.items()
        },
        "machine": machine(load_before),
    }
    print(f"\nPlatform roll-up, {COMPANIES:,} companies, day {end} (PostgreSQL)")
    print(f"{'what':<28}{'time':>12}{'queries':>10}")
    for n, (run_seconds, queries, _) in enumerate(nightly, 1):
        print(f"{'nightly day, run ' + str(n):<28}{run_seconds:>11.2f}s{queries:>10}")
    print(f"{'month rebuilt (31 days)':<28}{month_seconds:>11.1f}s{month_queries:>10}")
    for name, (run_seconds, queries, _) in reports.items():
        print(f"{name:<28}{run_seconds * 1000:>10.1f}ms{queries:>10}")
    print(
        f"target: nightly day <= {TARGET_SECONDS} s; median {statistics.median(seconds):.2f} s"
        f" ({result['nightly_day']['ratio_to_target']:.1%} of it)"
    )
    out = ROOT / "bench" / "results" / "analytics_platform.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written: {out}")


if __name__ == "__main__":
    main()
