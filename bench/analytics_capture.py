"""Benchmark: what capturing an AnalyticsEvent costs a plot view. GET /api/plots/{id}/
through gunicorn on PostgreSQL + Redis, against two servers of the same code in the same
run, one with ANALYTICS_CAPTURE_EVENTS on (each view one RPUSH to Redis) and one with it
off; the rounds alternate between them.

Run with `make bench` (or `python bench/analytics_capture.py`), DATABASE_URL pointing at
a PostgreSQL server; Redis at BENCH_REDIS_URL (default redis://127.0.0.1:6379/14, flushed
before and after) is both servers' cache, counters and event buffer.

Method:
1. A throwaway database beside DATABASE_URL's with one company (limits lifted), its
   admin and BENCH_PLOTS (2,000) plots in two estates.
2. Two gunicorn servers (BENCH_WORKERS, default 2 sync workers each, ports BENCH_PORT+1
   and BENCH_PORT+2, default 8321/8322), development settings, DEBUG off, capture on and
   off.
3. Load: BENCH_THREADS (4) client threads, a new connection per request, each request a
   random plot of the company, as its admin. A warm-up of BENCH_WARMUP (200) per server,
   then BENCH_ROUNDS (10) rounds of BENCH_REQUESTS (600) per server, the order swapped
   each round.
4. Reported: per server the medians over rounds of requests per second, p50, p95 and the
   CPU a request costs its workers and their PostgreSQL sessions; the overhead as the
   median of each round's on/off p50 ratio (the pair ran back to back, so the ratio
   cancels the shared machine's load of the moment; target at most 5 %) and as CPU per
   request; and after the run that the flush wrote exactly one event per view the
   capturing server answered.

Prints a table and writes bench/results/analytics_capture.json. Not a test: numbers, no
asserts.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
PORT = int(os.environ.get("BENCH_PORT", "8320"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "10"))
REQUESTS_PER_ROUND = int(os.environ.get("BENCH_REQUESTS", "600"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "200"))
PLOTS = int(os.environ.get("BENCH_PLOTS", "2000"))
TARGET_OVERHEAD = 0.05
SEED = 20261128

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
from apps.analytics.models import AnalyticsEvent  # noqa: E402
from apps.analytics.services import events_flush  # noqa: E402
from apps.companies.models import Company  # noqa: E402
from apps.estates.models import Plot  # noqa: E402
from bench.analytics_seed import seed  # noqa: E402
from bench.http_load import fire  # noqa: E402
from bench.server_harness import (  # noqa: E402
    ROOT,
    CpuMeter,
    bench_redis,
    gunicorn,
    machine,
    port_taken,
    stop,
    throwaway_database,
    wait_ready,
)

ON, OFF = "on", "off"


def load() -> tuple[str, list[int]]:
    (company_id,) = seed(
        companies=1,
        first_day=timezone.localdate() - timedelta(days=1),
        days=1,
        purchases_per_company=PLOTS,
        clients_per_company=50,
        slug_prefix="capture",
    )
    Company.objects.filter(pk=company_id).update(
        subscription_tier="enterprise", max_api_calls_daily=10**9, api_hourly_limit_override=10**9
    )
    AnalyticsEvent.objects.all().delete()
    plot_ids = list(Plot.objects.filter(company_id=company_id).values_list("pk", flat=True))
    admin = User.objects.get(email=f"capture{company_id}-1@bench.ng")
    return issue_token_pair(admin).access, plot_ids


def run(database_url: str, logs: Path) -> dict[str, Any]:
    token, plot_ids = load()
    connection.close()
    rng = random.Random(SEED)
    choices = [rng.choice(plot_ids) for _ in range(10_000)]

    def paths(n: int) -> str:
        return f"/api/plots/{choices[n % len(choices)]}/"

    ports = {ON: PORT + 1, OFF: PORT + 2}
    servers: dict[str, Any] = {}
    try:
        for mode, port in ports.items():
            url = f"{database_url}?application_name=bench_capture_{mode}"
            env = {
                **os.environ,
                "DATABASE_URL": url,
                "ANALYTICS_CAPTURE_EVENTS": "true" if mode == ON else "false",
            }
            servers[mode] = gunicorn(port, WORKERS, env, logs / f"gunicorn-{mode}.log")
        for mode, port in ports.items():
            wait_ready(servers[mode], port, logs / f"gunicorn-{mode}.log")
        warmup = {mode: fire(ports[mode], paths, WARMUP, token, THREADS) for mode in ports}
        meters = {
            mode: CpuMeter(servers[mode].pid, application_name=f"bench_capture_{mode}")
            for mode in ports
        }
        rounds: list[dict[str, Any]] = []
        for number in range(1, ROUNDS + 1):
            order = (ON, OFF) if number % 2 else (OFF, ON)
            for mode in order:
                before = meters[mode].snapshot()
                row = fire(ports[mode], paths, REQUESTS_PER_ROUND, token, THREADS)
                cpu = CpuMeter.per_request_ms(before, meters[mode].snapshot(), row["requests"])
                row["server_and_database_cpu_ms"] = round(
                    cpu["server_cpu_ms"] + cpu["database_cpu_ms"], 3
                )
                rounds.append({"round": number, "capture": mode, **row})
                print(
                    f"round {number} capture {mode:>3}: {row['requests_per_second']:7.1f} req/s"
                    f"  p50 {row['p50_ms']:6.2f} ms  p95 {row['p95_ms']:6.2f} ms"
                    f"  cpu {row['server_and_database_cpu_ms']:6.2f} ms/req  {row['statuses']}"
                )
    finally:
        for process in servers.values():
            stop(process)
    connection.connect()
    views_answered = warmup[ON]["statuses"].get("200", 0) + sum(
        row["statuses"].get("200", 0) for row in rounds if row["capture"] == ON
    )
    flushed = events_flush()
    stored = AnalyticsEvent.objects.filter(kind="plot_view").count()

    def median(mode: str, key: str) -> float:
        return statistics.median(row[key] for row in rounds if row["capture"] == mode)

    summary = {
        mode: {
            key: median(mode, key)
            for key in ("requests_per_second", "p50_ms", "p95_ms", "server_and_database_cpu_ms")
        }
        for mode in (ON, OFF)
    }
    rate = summary[ON]["requests_per_second"] / summary[OFF]["requests_per_second"]
    # Each round's on/off pair ran back to back: its ratio cancels the load the shared
    # machine had then, which swings the absolute numbers more than capture does.
    paired = [
        on["p50_ms"] / off["p50_ms"]
        for number in range(1, ROUNDS + 1)
        for on in rounds
        for off in rounds
        if on["round"] == off["round"] == number and on["capture"] == ON and off["capture"] == OFF
    ]
    return {
        "paired_p50_ratios": [round(ratio, 3) for ratio in paired],
        "paired_p50_overhead_percent": round(100 * (statistics.median(paired) - 1), 1),
        "warmup": warmup,
        "rounds": rounds,
        "summary": summary,
        "throughput_overhead_percent": round(100 * (1 - rate), 1),
        "p50_overhead_percent": round(
            100 * (summary[ON]["p50_ms"] / summary[OFF]["p50_ms"] - 1), 1
        ),
        "cpu_overhead_percent": round(
            100
            * (
                summary[ON]["server_and_database_cpu_ms"]
                / summary[OFF]["server_and_database_cpu_ms"]
                - 1
            ),
            1,
        ),
        "views_answered_by_capturing_server": views_answered,
        "events_flushed": flushed,
        "plot_view_events_stored": stored,
    }


def main() -> None:
    for port in (PORT + 1, PORT + 2):
        if port_taken(port):
            raise SystemExit(f"Something already listens on 127.0.0.1:{port}; set BENCH_PORT.")
    redis = bench_redis(REDIS_URL)
    load_before = os.getloadavg()
    logs = Path(tempfile.mkdtemp(prefix="bench-analytics-capture-"))
    try:
        with throwaway_database("analytics_capture") as url:
            outcome = run(url, logs)
    finally:
        redis.flushdb()
        print(f"server logs in {logs}")
    result = {
        "measured_at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
        "machine": machine(load_before),
        "settings": {
            "gunicorn_workers_per_server": WORKERS,
            "client_threads": THREADS,
            "rounds": ROUNDS,
            "requests_per_round": REQUESTS_PER_ROUND,
            "plots": PLOTS,
            "endpoint": "GET /api/plots/{id}/ as the company's admin (JWT)",
        },
        "target": f"capturing the view adds at most {TARGET_OVERHEAD:.0%} to its latency",
        **outcome,
    }
    print()
    print(f"{'capture':<8}{'req/s':>10}{'p50 ms':>10}{'p95 ms':>10}{'cpu ms/req':>12}")
    for mode in (ON, OFF):
        row = result["summary"][mode]
        print(
            f"{mode:<8}{row['requests_per_second']:>10.1f}{row['p50_ms']:>10.2f}"
            f"{row['p95_ms']:>10.2f}{row['server_and_database_cpu_ms']:>12.2f}"
        )
    print(
        f"p50 (median of the rounds' on/off ratios) {result['paired_p50_overhead_percent']:+.1f} %,"
        f" CPU per request {result['cpu_overhead_percent']:+.1f} %"
        f" (target <= {TARGET_OVERHEAD:.0%}); medians: p50 {result['p50_overhead_percent']:+.1f} %,"
        f" throughput {-result['throughput_overhead_percent']:+.1f} %;"
        f" {result['plot_view_events_stored']} events stored"
        f" for {result['views_answered_by_capturing_server']} views answered"
    )
    out = ROOT / "bench" / "results" / "analytics_capture.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
