"""Benchmark: the read path at 1,000 and at 100,000 plots, through gunicorn on PostgreSQL,
against `GET /api/auth/me/` and `/healthz` in the same rounds.

Run with `make bench` (or `python bench/read_path.py`), DATABASE_URL pointing at a
PostgreSQL server; on SQLite it refuses. Redis at BENCH_REDIS_URL (default
redis://127.0.0.1:6379/13, flushed before and after) is the server's cache and counters.

Method:

1. A throwaway database beside the one DATABASE_URL names (`test_<name>_read_path`,
   created, migrated and dropped; BENCH_KEEPDB=1 keeps it) holding two Enterprise
   companies, each with an admin: "small" with 1,000 plots in 10 estates and 300
   purchases, "large" with 100,000 plots in 10 estates and 30,000 purchases (written by
   PostgreSQL itself, then VACUUM ANALYZEd). The companies' limits are far above what the run
   sends; the throttle still runs and meters every request, as in production.
2. One gunicorn server (BENCH_WORKERS, default 4 sync workers, 127.0.0.1:BENCH_PORT,
   default 8400; gunicorn.conf.py applies) with the development settings, DEBUG off,
   Redis as cache, and the default DB_CONN_MAX_AGE (kept connections for a server).
3. The kinds measured, each as the company's admin: the plot list's first page, its last
   page (page number) and its deepest cursor (the cursor of the last page), `?search=`,
   the purchase list, the estate list and /api/usage/, each at both sizes, and each
   "cached" (the same URL every time: what the listing cache serves) and "uncached" (a
   unique, ignored `nocache` parameter per request: the page read from PostgreSQL, the
   count still cached); plus /api/auth/me/ and /healthz.
4. Load: BENCH_THREADS (4) client threads, a new connection per request (sync gunicorn
   closes each), a warm-up of BENCH_WARMUP (50) requests of each kind, then
   BENCH_ROUNDS (3) rounds of BENCH_REQUESTS (200) requests of each kind, the order of
   kinds rotated each round. Per kind: the medians over rounds of requests per second,
   p50 and p95; each list's rate as a fraction of /api/auth/me/'s and its p50 at 100k over
   its p50 at 1k; /api/auth/me/ as a fraction of /healthz.

Prints a table and writes bench/results/read_path.json. Not a test: numbers, no asserts.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
HOST = "127.0.0.1"
PORT = int(os.environ.get("BENCH_PORT", "8400"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
REQUESTS_PER_ROUND = int(os.environ.get("BENCH_REQUESTS", "200"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "50"))
SIZES = {"1k": (1_000, 300), "100k": (100_000, 30_000)}  # plots, purchases
ESTATES = 10
PAGE_SIZE = 25
SEARCH = "Lekki"
LIST_TARGET = 0.5  # of /api/auth/me/'s rate
GROWTH_TARGET = 1.5  # p50 at 100k over p50 at 1k
ME_TARGET = 0.25  # of /healthz's rate
PASSWORD = "Bench-Password-2026"  # noqa: S105 - throwaway users in a throwaway database

SERVER_ENV = {
    "DJANGO_ENV": "development",
    "DEBUG": "false",
    "REDIS_URL": REDIS_URL,
    "CELERY_BROKER_URL": REDIS_URL,
    "JWT_ACCESS_MINUTES": "240",
    "LOG_LEVEL": "WARNING",
    "SENTRY_DSN": "",
}
os.environ.update(SERVER_ENV)

import django  # noqa: E402

from config.env import select_settings_module  # noqa: E402

select_settings_module()
django.setup()

from django.db import connection  # noqa: E402

from apps.accounts.services import user_create  # noqa: E402
from apps.companies.models import Company, Membership  # noqa: E402
from apps.core.pagination import encode_cursor  # noqa: E402
from apps.core.roles import Role  # noqa: E402
from apps.estates.models import Plot  # noqa: E402
from bench.server_harness import (  # noqa: E402
    bench_redis,
    gunicorn,
    log_tail,
    machine,
    port_taken,
    stop,
    throwaway_database,
    wait_ready,
)

LISTS = ("plots", "plots-last-page", "plots-deepest-cursor", "plots-search", "purchases")
CONTEXT = ("estates", "usage")


# --- the data ------------------------------------------------------------------------------


def load_company(size: str, plots: int, purchases: int) -> int:
    """An Enterprise company with ``plots`` plots and ``purchases`` completed sales, and its
    admin (email ``admin-<size>@bench.example.ng``); returns the company's id."""
    company = Company.objects.create(
        name=f"Bench {size} Realty",
        slug=f"bench-{size}",
        billing_email=f"accounts-{size}@bench.example.ng",
        subscription_tier="enterprise",
        subscription_status="active",
        max_plots=10**6,
        max_agents=10,
        max_api_calls_daily=10**9,
        api_hourly_limit_override=10**9,
    )
    user_id = user_create(
        email=f"admin-{size}@bench.example.ng", password=PASSWORD, email_verified=True
    )
    Membership.objects.create(company=company, user_id=user_id, role=Role.COMPANY_ADMIN)
    names = ["Lekki Gardens", "Ajah Court", "Ibeju Palms", "Epe Heights", "Abuja Crest"]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO estates_estate (company_id, name, location, state, lga, description,
                                        is_active, created_at, updated_at)
            SELECT %(company)s, (%(names)s::text[])[1 + n %% 5] || ' ' || n, 'Lekki-Epe Expressway',
                   'Lagos', 'Eti-Osa', '', true, now(), now()
            FROM generate_series(1, %(estates)s) AS n
            """,
            {"company": company.pk, "names": names, "estates": ESTATES},
        )
        cursor.execute(
            """
            INSERT INTO estates_plot (company_id, estate_id, plot_number, size_sqm, price,
                                      status, created_at, updated_at)
            SELECT %(company)s, e.id, 'P-' || lpad(n::text, 6, '0'), 300 + n %% 400,
                   (1000000 + (n %% 97) * 50000)::numeric(14, 2), 'available',
                   now() - n * interval '1 second', now()
            FROM generate_series(1, %(plots)s) AS n
            JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM estates_estate
                  WHERE company_id = %(company)s) AS e ON e.k = n %% %(estates)s
            """,
            {"company": company.pk, "plots": plots, "estates": ESTATES},
        )
        cursor.execute(
            """
            INSERT INTO estates_client (company_id, email, first_name, last_name, phone,
                                        address, created_at, updated_at)
            SELECT %(company)s, 'buyer' || n || '-' || %(company)s || '@bench.example.ng',
                   'Buyer', n::text, '', '', now(), now()
            FROM generate_series(1, %(clients)s) AS n
            """,
            {"company": company.pk, "clients": max(1, purchases // 30)},
        )
        cursor.execute(
            """
            WITH sold AS (
                SELECT id, price, row_number() OVER (ORDER BY id) AS n FROM estates_plot
                WHERE company_id = %(company)s ORDER BY id LIMIT %(purchases)s
            ), clients AS (
                SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM estates_client
                WHERE company_id = %(company)s
            )
            INSERT INTO estates_plotpurchase (company_id, client_id, plot_id, agreed_price,
                status, purchased_at, completed_at, cancel_reason, created_at, updated_at)
            SELECT %(company)s, c.id, s.id, s.price, 'completed',
                   now() - s.n * interval '1 minute', now(), '', now(), now()
            FROM sold s JOIN clients c ON c.k = s.n %% (SELECT count(*) FROM clients)
            """,
            {"company": company.pk, "purchases": purchases},
        )
        cursor.execute(
            "UPDATE estates_plot SET status = 'sold' WHERE id IN"
            " (SELECT plot_id FROM estates_plotpurchase WHERE company_id = %s)",
            [company.pk],
        )
    return company.pk


def deepest_cursor(company_id: int, plots: int) -> str:
    """The cursor of the plot list's last page (default ordering, PAGE_SIZE a page)."""
    before_last = (plots - 1) // PAGE_SIZE * PAGE_SIZE - 1
    row = (
        Plot.objects.filter(company_id=company_id)
        .order_by("estate_id", "plot_number", "id")
        .values_list("estate_id", "plot_number", "id")[before_last]
    )
    return encode_cursor("estate_id,plot_number,id", list(row))


def paths_for(company_id: int, plots: int) -> dict[str, str]:
    last_page = (plots + PAGE_SIZE - 1) // PAGE_SIZE
    return {
        "plots": "/api/plots/",
        "plots-last-page": f"/api/plots/?page={last_page}",
        "plots-deepest-cursor": f"/api/plots/?cursor={deepest_cursor(company_id, plots)}",
        "plots-search": f"/api/plots/?search={SEARCH}",
        "purchases": "/api/purchases/",
        "estates": "/api/estates/",
        "usage": "/api/usage/",
    }


# --- the load ------------------------------------------------------------------------------


class Kind:
    """One measured request: a path, whose token, and whether each request's URL is new."""

    def __init__(self, name: str, path: str, token: str | None, *, unique: bool) -> None:
        self.name, self.path, self.token, self.unique = name, path, token, unique
        self.sent = itertools.count()

    def url(self) -> str:
        if not self.unique:
            return self.path
        joiner = "&" if "?" in self.path else "?"
        return f"{self.path}{joiner}nocache={next(self.sent)}-{time.monotonic_ns()}"


def fire(kind: Kind, count: int) -> dict[str, Any]:
    """``count`` requests of ``kind`` from THREADS threads, each on a new connection."""
    numbers = itertools.count()
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    headers = {"Authorization": f"Bearer {kind.token}"} if kind.token else {}

    def client() -> None:
        while next(numbers) < count:
            with lock:
                url = kind.url()
            conn = http.client.HTTPConnection(HOST, PORT, timeout=60)
            started = time.perf_counter()
            try:
                conn.request("GET", url, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                status = 0
            finally:
                conn.close()
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[status] += 1

    began = time.perf_counter()
    threads = [threading.Thread(target=client, daemon=True) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    cuts = statistics.quantiles(sorted(latencies), n=100)
    return {
        "kind": kind.name,
        "requests": count,
        "rps": count / wall,
        "p50_ms": cuts[49] * 1000,
        "p95_ms": cuts[94] * 1000,
        "statuses": {str(status): n for status, n in sorted(statuses.items())},
    }


def login(email: str) -> str:
    conn = http.client.HTTPConnection(HOST, PORT, timeout=30)
    body = json.dumps({"email": email, "password": PASSWORD})
    conn.request("POST", "/api/auth/login/", body, {"Content-Type": "application/json"})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    if response.status != 200:
        raise SystemExit(f"login answered {response.status}: {data[:300]!r}")
    return json.loads(data)["access"]


def kinds_for(paths: dict[str, dict[str, str]], tokens: dict[str, str]) -> list[Kind]:
    kinds = [Kind("me", "/api/auth/me/", tokens["100k"], unique=False)]
    kinds.append(Kind("healthz", "/healthz", None, unique=False))
    for size, by_name in paths.items():
        for name, path in by_name.items():
            for cached in (True, False):
                label = f"{name} {size} {'cached' if cached else 'uncached'}"
                kinds.append(Kind(label, path, tokens[size], unique=not cached))
    return kinds


def run(database_url: str, logs: Path) -> dict[str, Any]:
    companies = {size: load_company(size, *counts) for size, counts in SIZES.items()}
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as a kept database is: no autovacuum mid-run
    paths = {size: paths_for(companies[size], SIZES[size][0]) for size in SIZES}
    connection.close()
    env = {**os.environ, **SERVER_ENV, "DATABASE_URL": database_url}
    server = None
    log = logs / "gunicorn.log"
    try:
        server = gunicorn(PORT, WORKERS, env, log)
        wait_ready(server, PORT, log)
        tokens = {size: login(f"admin-{size}@bench.example.ng") for size in SIZES}
        kinds = kinds_for(paths, tokens)
        warmup = [fire(kind, WARMUP) for kind in kinds]
        rows = []
        for number in range(1, ROUNDS + 1):
            shift = (number - 1) * len(kinds) // max(ROUNDS, 1)
            for kind in kinds[shift:] + kinds[:shift]:
                row = {"round": number, **fire(kind, REQUESTS_PER_ROUND)}
                rows.append(row)
                print(
                    f"round {number} {kind.name:<36} {row['rps']:>7.1f} req/s"
                    f"  p50 {row['p50_ms']:6.1f} ms  {row['statuses']}",
                    flush=True,
                )
    except BaseException:
        print(log_tail(log))
        raise
    finally:
        stop(server)
    return {"paths": paths, "warmup": warmup, "rounds": rows, **summarise(kinds, rows)}


def summarise(kinds: list[Kind], rows: list[dict[str, Any]]) -> dict[str, Any]:
    medians = {
        kind.name: {
            key: statistics.median(row[key] for row in rows if row["kind"] == kind.name)
            for key in ("rps", "p50_ms", "p95_ms")
        }
        for kind in kinds
    }
    me = medians["me"]["rps"]
    judged = {}
    for name in (*LISTS, *CONTEXT):
        for mode in ("cached", "uncached"):
            large, small = medians[f"{name} 100k {mode}"], medians[f"{name} 1k {mode}"]
            judged[f"{name} {mode}"] = {
                "of_me_at_100k": large["rps"] / me,
                "p50_100k_over_1k": large["p50_ms"] / small["p50_ms"],
            }
    statuses: Counter[str] = Counter()
    for row in rows:
        statuses.update({f"{row['kind']} {s}": n for s, n in row["statuses"].items()})
    not_ok = {key: n for key, n in statuses.items() if not key.endswith((" 200", " 304"))}
    me_of_healthz = me / medians["healthz"]["rps"]
    lists_met = all(
        judged[f"{name} {mode}"]["of_me_at_100k"] >= LIST_TARGET
        and judged[f"{name} {mode}"]["p50_100k_over_1k"] <= GROWTH_TARGET
        for name in LISTS
        for mode in ("cached", "uncached")
        if name != "plots-last-page"  # the deepest cursor is the judged deep read
    )
    return {
        "medians": medians,
        "judged": judged,
        "me_of_healthz": me_of_healthz,
        "not_200": not_ok,
        "targets_met": {
            "lists": lists_met,
            "me_of_healthz": me_of_healthz >= ME_TARGET,
        },
    }


def report(result: dict[str, Any]) -> None:
    print(
        f"\nRead path through gunicorn ({WORKERS} sync workers), PostgreSQL"
        f" {result['postgres']}, Redis, {THREADS} client threads, {ROUNDS} rounds x"
        f" {REQUESTS_PER_ROUND} requests of each kind (medians over rounds)"
    )
    print(f"{'kind':<38} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7}")
    for name, median in result["medians"].items():
        print(f"{name:<38} {median['rps']:>8.1f} {median['p50_ms']:>7.1f} {median['p95_ms']:>7.1f}")
    print(f"\n{'list':<34} {'of me at 100k':>14} {'p50 100k/1k':>12}")
    for name, judged in result["judged"].items():
        print(f"{name:<34} {judged['of_me_at_100k']:>14.2f} {judged['p50_100k_over_1k']:>12.2f}")
    print(
        f"\n/api/auth/me/ of /healthz: {result['me_of_healthz']:.2f} (target >= {ME_TARGET});"
        f" lists >= {LIST_TARGET} of me at 100k and p50 growth <= {GROWTH_TARGET}:"
        f" {'met' if result['targets_met']['lists'] else 'NOT met'}"
    )
    print(f"responses other than 200/304: {result['not_200'] or 'none'}")


def main() -> None:
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))
    if port_taken(PORT):
        raise SystemExit(f"Something already listens on {HOST}:{PORT}; set BENCH_PORT.")
    cache = bench_redis(REDIS_URL)
    load_before = os.getloadavg()
    logs = Path(tempfile.mkdtemp(prefix="bench-read-path-"))
    try:
        with throwaway_database("read_path") as test_url:
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                (postgres,) = cursor.fetchone()
            outcome = run(test_url, logs)
    finally:
        cache.flushdb()
    result = {
        "measured_at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
        "machine": machine(load_before),
        "postgres": postgres,
        "settings": {
            "gunicorn_workers": WORKERS,
            "client_threads": THREADS,
            "rounds": ROUNDS,
            "requests_per_round": REQUESTS_PER_ROUND,
            "warmup_per_kind": WARMUP,
            "sizes": {size: {"plots": p, "purchases": s} for size, (p, s) in SIZES.items()},
            "search": SEARCH,
        },
        "targets": {
            "lists": f">= {LIST_TARGET} x /api/auth/me/ req/s at 100k, p50 at 100k <="
            f" {GROWTH_TARGET} x p50 at 1k",
            "me": f"/api/auth/me/ >= {ME_TARGET} x /healthz req/s",
        },
        **outcome,
    }
    report(result)
    out = ROOT / "bench" / "results" / "read_path.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
