"""Benchmark: what the audit trail costs a write endpoint. PATCH /api/plots/{id}/ (a new
price) through gunicorn on PostgreSQL, against two servers of the same code in the same
run: one recording every change (django-auditlog's diff, the hash chain's head locked and
moved on, the entry inserted) and one with auditlog disabled per request
(bench/audit_switch.py); the rounds alternate between them.

Run with `make bench` (or `python bench/audit_overhead.py`), DATABASE_URL pointing at a
PostgreSQL server; Redis at BENCH_REDIS_URL (default redis://127.0.0.1:6379/11, flushed
before and after) is both servers' cache and throttle counters.

Method:
1. A throwaway database beside DATABASE_URL's (`test_<name>_audit`), with one Enterprise
   company (limits lifted so the run is never throttled), its admin, one estate and
   BENCH_PLOTS (2,000) plots.
2. Two gunicorn servers (BENCH_WORKERS, default 4 sync workers each, ports BENCH_PORT
   and BENCH_PORT+1, default 8310/8311), development settings with DEBUG off, persistent
   database connections, BENCH_AUDIT=on and =off.
3. Load: BENCH_THREADS (4) client threads, a new connection per request, each thread
   PATCHing its own plots in turn (no two requests wait on one row). A warm-up of
   BENCH_WARMUP (200) requests per server, then BENCH_ROUNDS (5) rounds of BENCH_REQUESTS
   (1,000) per server, the order of the servers swapped each round so drift hits both.
4. Reported: per server the median over rounds of requests per second, p50 and p95
   latency, and the CPU time a request costs its gunicorn workers and their PostgreSQL
   sessions (from /proc; steadier than the rates on a shared machine); the overhead
   1 - on/off of the median rates (target: at most 10 %) and of the CPU; and
   after the run, that every audited PATCH left exactly one entry and the company's
   chain verifies.

Prints a table and writes bench/results/audit_overhead.json. Not a test: numbers, no
asserts.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.server_harness import (
    HOST,
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

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
PORT = int(os.environ.get("BENCH_PORT", "8310"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
REQUESTS_PER_ROUND = int(os.environ.get("BENCH_REQUESTS", "1000"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "200"))
PLOTS = int(os.environ.get("BENCH_PLOTS", "2000"))
TARGET_OVERHEAD = 0.10
SEED = 20261127

SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "bench.audit_settings",
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

from apps.accounts.services import issue_token_pair  # noqa: E402
from apps.audit.chain import chain_verify  # noqa: E402
from apps.audit.models import AuditEntry  # noqa: E402
from apps.companies.models import Company  # noqa: E402
from apps.estates.models import Plot  # noqa: E402
from tests.companies.factories import CompanyFactory, MembershipFactory  # noqa: E402
from tests.estates.factories import EstateFactory  # noqa: E402

ON, OFF = "on", "off"


def load() -> tuple[int, list[int], str]:
    company = CompanyFactory(subscription_tier="enterprise")
    Company.objects.filter(pk=company.pk).update(
        max_api_calls_daily=10**9, api_hourly_limit_override=10**9, max_plots=10**6
    )
    admin = MembershipFactory(company=company, role="company_admin").user
    estate = EstateFactory(company=company)
    Plot.objects.bulk_create(
        Plot(
            company=company,
            estate=estate,
            plot_number=f"B-{number:05d}",
            size_sqm=Decimal("500.00"),
            price=Decimal("1000000.00"),
        )
        for number in range(PLOTS)
    )
    plot_ids = list(
        Plot.objects.filter(company=company).order_by("pk").values_list("pk", flat=True)
    )
    return company.pk, plot_ids, issue_token_pair(admin).access


def fire(port: int, plot_ids: list[int], count: int, token: str, rng: random.Random) -> dict:
    """``count`` PATCHes from THREADS threads, each on its own share of the plots."""
    shares = [plot_ids[i::THREADS] for i in range(THREADS)]
    per_thread = [count // THREADS + (1 if i < count % THREADS else 0) for i in range(THREADS)]
    prices = [[f"{rng.randint(500_000, 9_000_000)}.00" for _ in range(n)] for n in per_thread]
    latencies: list[list[float]] = [[] for _ in range(THREADS)]
    statuses: list[dict[int, int]] = [{} for _ in range(THREADS)]
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}

    def work(index: int) -> None:
        share = shares[index]
        for number, price in enumerate(prices[index]):
            body = json.dumps({"price": price})
            started = time.perf_counter()
            conn = http.client.HTTPConnection(HOST, port, timeout=60)
            conn.request("PATCH", f"/api/plots/{share[number % len(share)]}/", body, headers)
            response = conn.getresponse()
            response.read()
            conn.close()
            latencies[index].append(time.perf_counter() - started)
            statuses[index][response.status] = statuses[index].get(response.status, 0) + 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    flat = sorted(value for values in latencies for value in values)
    merged: dict[int, int] = {}
    for per in statuses:
        for status, n in per.items():
            merged[status] = merged.get(status, 0) + n
    return {
        "requests": len(flat),
        "requests_per_second": round(len(flat) / wall, 1),
        "p50_ms": round(1000 * flat[len(flat) // 2], 2),
        "p95_ms": round(1000 * flat[int(len(flat) * 0.95)], 2),
        "statuses": {str(status): n for status, n in sorted(merged.items())},
    }


def run(database_url: str, logs: Path) -> dict[str, Any]:
    company_id, plot_ids, token = load()
    entries_before = AuditEntry.objects.filter(company_id=company_id).count()
    connection.close()
    servers: dict[str, Any] = {}
    ports = {ON: PORT, OFF: PORT + 1}
    rng = random.Random(SEED)
    try:
        for mode, port in ports.items():
            # Each server's database sessions carry its name, so their CPU is told apart.
            url = f"{database_url}?application_name=bench_audit_{mode}"
            env = {**os.environ, "DATABASE_URL": url, "BENCH_AUDIT": mode}
            servers[mode] = gunicorn(port, WORKERS, env, logs / f"gunicorn-{mode}.log")
        for mode, port in ports.items():
            wait_ready(servers[mode], port, logs / f"gunicorn-{mode}.log")
        warmup = {mode: fire(ports[mode], plot_ids, WARMUP, token, rng) for mode in ports}
        meters = {
            mode: CpuMeter(servers[mode].pid, application_name=f"bench_audit_{mode}")
            for mode in ports
        }
        rounds: list[dict[str, Any]] = []
        for number in range(1, ROUNDS + 1):
            order = (ON, OFF) if number % 2 else (OFF, ON)
            for mode in order:
                before = meters[mode].snapshot()
                row = fire(ports[mode], plot_ids, REQUESTS_PER_ROUND, token, rng)
                cpu = CpuMeter.per_request_ms(before, meters[mode].snapshot(), row["requests"])
                row["server_and_database_cpu_ms"] = round(
                    cpu["server_cpu_ms"] + cpu["database_cpu_ms"], 3
                )
                rounds.append({"round": number, "audit": mode, **row})
                print(
                    f"round {number} audit {mode:>3}: {row['requests_per_second']:7.1f} req/s"
                    f"  p50 {row['p50_ms']:6.2f} ms  p95 {row['p95_ms']:6.2f} ms"
                    f"  cpu {row['server_and_database_cpu_ms']:6.2f} ms/req  {row['statuses']}"
                )
    finally:
        for process in servers.values():
            stop(process)
    connection.connect()
    audited_ok = sum(
        row["statuses"].get("200", 0) for row in rounds if row["audit"] == ON
    ) + warmup[ON]["statuses"].get("200", 0)
    entries_written = AuditEntry.objects.filter(company_id=company_id).count() - entries_before
    report = chain_verify(chain=company_id)

    def median(mode: str, key: str) -> float:
        return statistics.median(row[key] for row in rounds if row["audit"] == mode)

    summary = {
        mode: {
            "requests_per_second": median(mode, "requests_per_second"),
            "p50_ms": median(mode, "p50_ms"),
            "p95_ms": median(mode, "p95_ms"),
            "server_and_database_cpu_ms": median(mode, "server_and_database_cpu_ms"),
        }
        for mode in (ON, OFF)
    }
    ratio = summary[ON]["requests_per_second"] / summary[OFF]["requests_per_second"]
    cpu_ratio = (
        summary[ON]["server_and_database_cpu_ms"] / summary[OFF]["server_and_database_cpu_ms"]
    )
    return {
        "warmup": warmup,
        "rounds": rounds,
        "summary": summary,
        "on_over_off": round(ratio, 3),
        "overhead_percent": round(100 * (1 - ratio), 1),
        "cpu_per_request_on_over_off": round(cpu_ratio, 3),
        "cpu_overhead_percent": round(100 * (cpu_ratio - 1), 1),
        "audited_patches_answered_200": audited_ok,
        "entries_written_by_audited_server": entries_written,
        "chain": {"ok": report.ok, "entries_checked": report.checked, "problem": report.problem},
    }


def main() -> None:
    for port in (PORT, PORT + 1):
        if port_taken(port):
            raise SystemExit(f"Something already listens on {HOST}:{port}; set BENCH_PORT.")
    broker = bench_redis(REDIS_URL)
    load_before = os.getloadavg()
    logs = Path(tempfile.mkdtemp(prefix="bench-audit-"))
    try:
        with throwaway_database("audit") as url:
            outcome = run(url, logs)
    finally:
        broker.flushdb()
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
            "endpoint": 'PATCH /api/plots/{id}/ {"price": ...} as the company\'s admin (JWT)',
        },
        "target": f"auditing costs at most {TARGET_OVERHEAD:.0%} of the PATCH throughput",
        **outcome,
    }
    print()
    print(f"{'audit':<6}{'req/s':>10}{'p50 ms':>10}{'p95 ms':>10}{'cpu ms/req':>12}")
    for mode in (ON, OFF):
        row = result["summary"][mode]
        print(
            f"{mode:<6}{row['requests_per_second']:>10.1f}{row['p50_ms']:>10.2f}"
            f"{row['p95_ms']:>10.2f}{row['server_and_database_cpu_ms']:>12.2f}"
        )
    print(
        f"on/off {result['on_over_off']:.3f}: auditing costs {result['overhead_percent']:.1f} %"
        f" (target <= {TARGET_OVERHEAD:.0%});"
        f" CPU per request +{result['cpu_overhead_percent']:.1f} %;"
        f" {result['entries_written_by_audited_server']}"
        f" entries for {result['audited_patches_answered_200']} audited PATCHes;"
        f" chain {'verifies' if result['chain']['ok'] else 'BROKEN'}"
    )
    out = ROOT / "bench" / "results" / "audit_overhead.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
