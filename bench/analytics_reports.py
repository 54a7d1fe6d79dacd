"""Benchmark: the company sales report for a company with 100,000 purchases over two
years, through gunicorn on PostgreSQL, against `GET /api/auth/me/` in the same rounds.

Run with `make bench` (or `python bench/analytics_reports.py`), DATABASE_URL pointing at
a PostgreSQL server; Redis at BENCH_REDIS_URL (default redis://127.0.0.1:6379/14, flushed
before and after) is the server's cache and counters.

Method:
1. A throwaway database beside DATABASE_URL's with one company (limits lifted so the run
   is never throttled) holding BENCH_PURCHASES (100,000) purchases over the 730 days up
   to yesterday, in 10 estates, a third of them pending, half through its marketer
   (bench/analytics_seed.py), and its roll-ups built for those two years by the same
   code the nightly task runs (timed).
2. One gunicorn server (BENCH_WORKERS, default 2 sync workers, 127.0.0.1:BENCH_PORT,
   default 8320) with the development settings, DEBUG off, Redis as cache.
3. The kinds measured, as the company's admin: the sales report over about two years by
   month and about one year by week, its CSV over two years by month, the marketers
   report over two years by month, each with a range that moves with every request
   (18,000 distinct ranges, more than a run asks for: computed from the roll-ups, not
   served from the report cache); the sales report over the same two years every time
   (served from the cache after the first); and /api/auth/me/. A warm-up of
   BENCH_WARMUP (50) of each, then BENCH_ROUNDS (5) rounds of BENCH_REQUESTS (200) of
   each, the order of the kinds rotated each round; BENCH_THREADS (2) client threads (the
   machine has two cores: a latency target, measured without a queue in front).
4. Reported per kind: the medians over rounds of requests per second, p50 and p95, and
   its p95 over /api/auth/me/'s. Target: the sales report's p95 at most 50 ms.

Prints a table and writes bench/results/analytics_reports.json. Not a test: numbers, no
asserts.
"""

from __future__ import annotations

import itertools
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
PORT = int(os.environ.get("BENCH_PORT", "8320"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
THREADS = int(os.environ.get("BENCH_THREADS", "2"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
REQUESTS_PER_ROUND = int(os.environ.get("BENCH_REQUESTS", "200"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "50"))
PURCHASES = int(os.environ.get("BENCH_PURCHASES", "100000"))
DAYS = 730
TARGET_P95_MS = 50.0

SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.local",
    "DJANGO_ENV": "development",
    "DEBUG": "false",
    "REDIS_URL": REDIS_URL,
    "CELERY_BROKER_URL": "",
    "DB_CONN_MAX_AGE": "3600",
    "JWT_ACCESS_MINUTES": "240",
    "LOG_LEVEL": "WARNING",
    "SENTRY_DSN": "",
}
os.environ.update(SERVER_ENV)

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from apps.accounts.models import User  # noqa: E402
from apps.accounts.services import issue_token_pair  # noqa: E402
from apps.analytics.services import rollups_build  # noqa: E402
from apps.companies.models import Company  # noqa: E402
from bench.analytics_seed import seed  # noqa: E402
from bench.http_load import fire  # noqa: E402
from bench.server_harness import (  # noqa: E402
    ROOT,
    bench_redis,
    gunicorn,
    machine,
    port_taken,
    stop,
    throwaway_database,
    wait_ready,
)


def load() -> tuple[str, dict[str, Any]]:
    yesterday = timezone.localdate() - timedelta(days=1)
    first_day = yesterday - timedelta(days=DAYS - 1)
    started = time.perf_counter()
    (company_id,) = seed(
        companies=1,
        first_day=first_day,
        days=DAYS,
        estates=10,
        purchases_per_company=PURCHASES,
        clients_per_company=5000,
        events_per_company_day=20,
        slug_prefix="reports",
    )
    seeding = time.perf_counter() - started
    Company.objects.filter(pk=company_id).update(
        subscription_tier="enterprise", max_api_calls_daily=10**9, api_hourly_limit_override=10**9
    )
    started = time.perf_counter()
    written = rollups_build(first=first_day, last=yesterday, company_ids=[company_id])
    building = time.perf_counter() - started
    admin = User.objects.get(email=f"reports{company_id}-1@bench.ng")
    print(f"seeded in {seeding:.1f} s; two years of roll-ups built in {building:.1f} s: {written}")
    span = {"first_day": first_day, "yesterday": yesterday}
    facts = {
        "seeding_seconds": round(seeding, 1),
        "rollup_build_seconds": round(building, 1),
        "rollup_rows": written,
        "span": {key: value.isoformat() for key, value in span.items()},
    }
    return issue_token_pair(admin).access, {**facts, **span}


def run(database_url: str, logs: Path) -> dict[str, Any]:
    token, facts = load()
    first_day, yesterday = facts.pop("first_day"), facts.pop("yesterday")
    counter = itertools.count()

    def varying(path: str, span_days: int, granularity: str) -> Callable[[int], str]:
        """A range of about ``span_days`` that moves with every request (18,000 distinct,
        more than a run asks for): each one misses the report cache and is computed from
        the roll-ups."""

        def paths(_: int) -> str:
            n = next(counter)
            end = yesterday - timedelta(days=(n // 60) % 300)
            start = end - timedelta(days=span_days - 1 - n % 60)
            return f"{path}?from={start}&to={end}&granularity={granularity}"

        return paths

    two_years = f"from={first_day}&to={yesterday}&granularity=month"
    kinds: dict[str, Callable[[int], str]] = {
        "sales_2y_by_month": varying("/api/analytics/sales/", DAYS, "month"),
        "sales_1y_by_week": varying("/api/analytics/sales/", 365, "week"),
        "sales_csv_2y_by_month": varying("/api/analytics/sales/export/", DAYS, "month"),
        "marketers_2y_by_month": varying("/api/analytics/marketers/", DAYS, "month"),
        "sales_2y_by_month_cached": lambda n: f"/api/analytics/sales/?{two_years}",
        "me": lambda n: "/api/auth/me/",
    }
    connection.close()
    server = None
    try:
        env = {**os.environ, "DATABASE_URL": database_url}
        server = gunicorn(PORT, WORKERS, env, logs / "gunicorn.log")
        wait_ready(server, PORT, logs / "gunicorn.log")
        for paths in kinds.values():
            fire(PORT, paths, WARMUP, token, THREADS)
        rounds: list[dict[str, Any]] = []
        names = list(kinds)
        for number in range(1, ROUNDS + 1):
            shift = (number - 1) % len(names)
            for name in names[shift:] + names[:shift]:
                row = fire(PORT, kinds[name], REQUESTS_PER_ROUND, token, THREADS)
                rounds.append({"round": number, "kind": name, **row})
                print(
                    f"round {number} {name:<22}{row['requests_per_second']:8.1f} req/s"
                    f"  p50 {row['p50_ms']:6.2f} ms  p95 {row['p95_ms']:6.2f} ms  {row['statuses']}"
                )
    finally:
        stop(server)
    connection.connect()

    def median(kind: str, key: str) -> float:
        return statistics.median(row[key] for row in rounds if row["kind"] == kind)

    summary = {
        kind: {
            "path": kinds[kind](0).split("?")[0],
            "requests_per_second": median(kind, "requests_per_second"),
            "p50_ms": median(kind, "p50_ms"),
            "p95_ms": median(kind, "p95_ms"),
        }
        for kind in kinds
    }
    for kind in kinds:
        summary[kind]["p95_over_me"] = round(summary[kind]["p95_ms"] / summary["me"]["p95_ms"], 2)
    return {**facts, "rounds": rounds, "summary": summary}


def main() -> None:
    if port_taken(PORT):
        raise SystemExit(f"Something already listens on 127.0.0.1:{PORT}; set BENCH_PORT.")
    redis = bench_redis(REDIS_URL)
    load_before = os.getloadavg()
    logs = Path(tempfile.mkdtemp(prefix="bench-analytics-reports-"))
    try:
        with throwaway_database("analytics_reports") as url:
            outcome = run(url, logs)
    finally:
        redis.flushdb()
        print(f"server logs in {logs}")
    sales = outcome["summary"]["sales_2y_by_month"]
    result = {
        "measured_at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
        "machine": machine(load_before),
        "settings": {
            "purchases": PURCHASES,
            "days": DAYS,
            "gunicorn_workers": WORKERS,
            "client_threads": THREADS,
            "rounds": ROUNDS,
            "requests_per_round": REQUESTS_PER_ROUND,
        },
        "target": f"the sales report (two years by month) p95 at most {TARGET_P95_MS:.0f} ms",
        "sales_report_p95_over_target": round(sales["p95_ms"] / TARGET_P95_MS, 3),
        **outcome,
    }
    print()
    print(f"{'kind':<24}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p95 / me':>10}")
    for kind, row in result["summary"].items():
        print(
            f"{kind:<24}{row['requests_per_second']:>9.1f}{row['p50_ms']:>9.2f}"
            f"{row['p95_ms']:>9.2f}{row['p95_over_me']:>10.2f}"
        )
    print(f"sales report p95 {sales['p95_ms']:.2f} ms (target <= {TARGET_P95_MS:.0f} ms)")
    out = ROOT / "bench" / "results" / "analytics_reports.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
