"""Benchmark: plot search and saved-search matching on PostgreSQL at 100,000 plots.

Run with `make bench` (or `python bench/search.py`), DATABASE_URL pointing at a
PostgreSQL server; on SQLite it refuses. It makes a throwaway database beside the one
DATABASE_URL names (`test_<name>_search`, through Django's test-database machinery:
created and migrated, dropped at the end; BENCH_KEEPDB=1 keeps it).

The data: one company with BENCH_PLOTS (100,000) plots in 250 estates spread over twelve
states (names, places and descriptions drawn from Nigerian place words; 80 % available,
10 % reserved, 10 % sold; prices from ₦2m to ₦200m), written through the ORM in bulk so
the database's trigger computes every plot's search vector; then BENCH_SAVED (100,000)
saved searches asking to be told of new plots, held by 2,000 clients (50 each), made
from 400 different query-and-filter combinations validated by the search's own rules.

Measured:
- the search endpoint, `GET /api/plots/search/`, through gunicorn (BENCH_WORKERS, default 2
  sync workers, 127.0.0.1:BENCH_PORT, default 8320, the development settings with DEBUG
  off, Redis at BENCH_REDIS_URL, default db 10, flushed before and after, as cache), with
  an admin's JWT, for eleven kinds of search (prefixes as typed, whole words, several
  words, a plot number, a misspelt estate, filters alone, words with filters), each
  "uncached" (a unique, ignored `n` parameter per request: the search computed in
  PostgreSQL, as after a write) and "cached" (the same URL: the answer from Redis), and
  `GET /api/auth/me/` and `/healthz` in the same rounds: BENCH_ROUNDS (3) rounds of
  BENCH_RUNS (30) sequential requests of each, after a warm-up; p50, p95 and max per
  kind, p95 of all, and each kind's mean latency over /api/auth/me/'s (how many
  /api/auth/me/ one search costs);
- the same searches in this process through Django's test client, uncached, with every
  query timed (connection.execute_wrapper): the database's time and the queries;
- EXPLAIN ANALYZE of the search's page query for a typical word: whether the GIN index
  on the search vector serves it;
- `saved_searches_matching_plot` for one new plot against the 100,000 saved searches,
  BENCH_RUNS times: p50, p95, max and how many matched, and EXPLAIN ANALYZE of its
  saved-search query (the GIN index on their words); and once, the whole notice
  (matching, then the notifications written for every matching owner, in a transaction
  rolled back at the end, so nothing is sent).

Prints a table and writes bench/results/search.json. Not a test: numbers, no asserts.
"""

from __future__ import annotations

import json
import os
import random
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")
PORT = int(os.environ.get("BENCH_PORT", "8320"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
SERVER_ENV = {
    "DJANGO_ENV": "development",
    "DEBUG": "false",
    "REDIS_URL": REDIS_URL,
    "CELERY_BROKER_URL": REDIS_URL,
    "JWT_ACCESS_MINUTES": "240",
    "LOG_LEVEL": "WARNING",
    "SENTRY_DSN": "",
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
}
os.environ.update(SERVER_ENV)

import django  # noqa: E402

from config.env import select_settings_module  # noqa: E402

select_settings_module()
django.setup()

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from apps.accounts.models import User  # noqa: E402
from apps.accounts.services import issue_token_pair  # noqa: E402
from apps.companies.models import Company, Membership  # noqa: E402
from apps.estates.models import Estate, Plot  # noqa: E402
from apps.estates.search.backends import PostgresSearchBackend  # noqa: E402
from apps.estates.selectors import (  # noqa: E402
    plot_for_search_matching,
    plot_search_criteria_clean,
)
from apps.notifications.models import Notification  # noqa: E402
from apps.notifications.receivers import saved_search_matches_tell  # noqa: E402
from apps.search.models import SavedSearch  # noqa: E402
from apps.search.selectors import (  # noqa: E402
    _filters_matching,
    _postgres_matching,
    saved_searches_matching_plot,
)
from apps.search.services import _criteria_columns  # noqa: E402
from bench.server_harness import (  # noqa: E402
    bench_redis,
    gunicorn,
    log_tail,
    machine,
    port_taken,
    stop,
    throwaway_database,
    timed_get,
    wait_ready,
)

PLOTS = int(os.environ.get("BENCH_PLOTS", "100000"))
SAVED = int(os.environ.get("BENCH_SAVED", "100000"))
HOST = "127.0.0.1"
RUNS = int(os.environ.get("BENCH_RUNS", "30"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
WARMUP = 5
ESTATES = 250
OWNERS = 2000
SEED = 20261127
SEARCH_TARGET_MS = 30.0
MATCH_TARGET_MS = 200.0
OUT = ROOT / "bench" / "results" / "search.json"

PLACES = {
    "Lagos": [
        ("Lekki", "Eti-Osa"),
        ("Ikoyi", "Eti-Osa"),
        ("Ajah", "Eti-Osa"),
        ("Ikeja", "Ikeja"),
        ("Epe", "Epe"),
        ("Badagry", "Badagry"),
        ("Yaba", "Lagos Mainland"),
    ],
    "FCT": [("Maitama", "AMAC"), ("Gwarinpa", "AMAC"), ("Kubwa", "Bwari"), ("Lugbe", "AMAC")],
    "Ogun": [("Abeokuta", "Abeokuta South"), ("Sagamu", "Sagamu"), ("Mowe", "Obafemi Owode")],
    "Rivers": [("Port Harcourt", "Port Harcourt"), ("Eleme", "Eleme"), ("Bonny", "Bonny")],
    "Oyo": [("Ibadan", "Ibadan North"), ("Ogbomosho", "Ogbomosho North")],
    "Enugu": [("Independence Layout", "Enugu North"), ("Trans Ekulu", "Enugu East")],
    "Kano": [("Nassarawa GRA", "Nassarawa"), ("Bompai", "Nassarawa")],
    "Kaduna": [("Barnawa", "Kaduna South"), ("Malali", "Kaduna North")],
    "Delta": [("Asaba", "Oshimili South"), ("Warri", "Warri South")],
    "Edo": [("Benin GRA", "Oredo"), ("Ugbowo", "Egor")],
    "Anambra": [("Awka", "Awka South"), ("Onitsha", "Onitsha North")],
    "Akwa Ibom": [("Uyo", "Uyo"), ("Eket", "Eket")],
}
NAME_WORDS = [
    "Pearl",
    "Royal",
    "Palm",
    "Emerald",
    "Crown",
    "Heritage",
    "Unity",
    "Golden",
    "Harmony",
    "Victory",
    "Cedar",
    "Diamond",
    "Liberty",
    "Prime",
    "Grace",
    "Zion",
]
NAME_KINDS = ["Gardens", "Court", "Estate", "Heights", "Park", "City", "Villas", "Meadows"]
FEATURES = [
    "waterfront",
    "gated",
    "tarred roads",
    "borehole",
    "perimeter fence",
    "drainage",
    "near the expressway",
    "dry land",
    "C of O",
    "governor's consent",
    "excision",
    "close to the airport",
    "serviced plots",
    "street lights",
    "security post",
]


def estates_rows(company_id: int, rng: random.Random) -> list[Estate]:
    rows, names = [], set()
    places = [(state, place, lga) for state, spots in PLACES.items() for place, lga in spots]
    while len(rows) < ESTATES:
        state, place, lga = rng.choice(places)
        name = f"{place.split()[0]} {rng.choice(NAME_WORDS)} {rng.choice(NAME_KINDS)}"
        if name in names:
            continue
        names.add(name)
        rows.append(
            Estate(
                company_id=company_id,
                name=name,
                location=f"{rng.randint(1, 40)} {place} Road, {place}",
                state=state,
                lga=lga,
                description=", ".join(rng.sample(FEATURES, 4)).capitalize() + ".",
            )
        )
    return rows


def load() -> dict[str, Any]:
    rng = random.Random(SEED)
    company = Company.objects.create(
        name="Bench Realty",
        slug="bench-realty",
        billing_email="accounts@bench-realty.example.ng",
        subscription_tier="enterprise",
        subscription_status="active",
        max_plots=10**6,
        max_agents=10**6,
        max_api_calls_daily=10**9,
        api_hourly_limit_override=10**9,
    )
    admin = User.objects.create(
        email="admin@bench-realty.example.ng", password=UNUSABLE_PASSWORD_PREFIX
    )
    Membership.objects.create(company=company, user=admin, role="company_admin")
    estates = Estate.objects.bulk_create(estates_rows(company.pk, rng))
    started = time.perf_counter()
    per_estate = PLOTS // ESTATES
    plots = []
    for estate in estates:
        block = rng.choice("ABCDEFGH")
        for n in range(per_estate):
            roll = rng.random()
            size = Decimal(rng.choice([300, 450, 500, 600, 648, 1000]))
            plots.append(
                Plot(
                    company=company,
                    estate=estate,
                    plot_number=f"{block}-{n + 1:04d}",
                    size_sqm=size,
                    price=Decimal(rng.randrange(2_000, 200_000)) * 1000,
                    status="available" if roll < 0.8 else "reserved" if roll < 0.9 else "sold",
                )
            )
    Plot.objects.bulk_create(plots, batch_size=5000)
    plots_seconds = time.perf_counter() - started

    started = time.perf_counter()
    owners = User.objects.bulk_create(
        [
            User(email=f"client{n}@bench.example.ng", password=UNUSABLE_PASSWORD_PREFIX)
            for n in range(OWNERS)
        ],
        batch_size=2000,
    )
    Membership.objects.bulk_create(
        [Membership(company=company, user=owner, role="client") for owner in owners],
        batch_size=2000,
    )
    templates = saved_templates(rng, estates)
    saved = [
        SavedSearch(
            company=company,
            owner=owners[n % OWNERS],
            name=f"Search {n}",
            notify=True,
            **templates[n % len(templates)],
        )
        for n in range(SAVED)
    ]
    SavedSearch.objects.bulk_create(saved, batch_size=5000)
    saved_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        for table in (
            "estates_estate",
            "estates_plot",
            "search_savedsearch",
            "companies_membership",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return {
        "company_id": company.pk,
        "admin": admin,
        "estates": estates,
        "plots_seconds": plots_seconds,
        "saved_seconds": saved_seconds,
    }


def saved_templates(rng: random.Random, estates: list[Estate]) -> list[dict[str, Any]]:
    """400 query-and-filter combinations, validated as the API validates them."""
    words = [estate.name.split()[0] for estate in estates] + NAME_WORDS + ["waterfront", "gated"]
    templates = []
    for _ in range(400):
        filters: dict[str, str] = {}
        query = ""
        roll = rng.random()
        if roll < 0.6:
            query = " ".join(rng.sample(words, rng.choice([1, 1, 2]))).lower()
        if rng.random() < 0.5:
            filters["state"] = rng.choice(list(PLACES))
        if rng.random() < 0.4:
            filters["max_price"] = str(rng.choice([10, 20, 50, 100]) * 1_000_000)
        if rng.random() < 0.15:
            filters["estate"] = str(rng.choice(estates).pk)
        if rng.random() < 0.2:
            filters["min_size"] = rng.choice(["450", "500", "600"])
        criteria = plot_search_criteria_clean(query=query, filters=filters)
        templates.append(_criteria_columns(criteria))
    return templates


SEARCHES: list[tuple[str, dict[str, str]]] = [
    ("prefix as typed: 'lek'", {"q": "lek"}),
    ("one word: 'ikoyi'", {"q": "ikoyi"}),
    ("two prefixes: 'pearl gard'", {"q": "pearl gard"}),
    ("estate name: 'maitama royal'", {"q": "maitama royal"}),
    ("plot number: 'a-0123'", {"q": "a-0123"}),
    ("misspelt: 'gwarimpa'", {"q": "gwarimpa"}),
    ("description: 'waterfront'", {"q": "waterfront", "state": "Rivers"}),
    ("words + filters", {"q": "lekki", "max_price": "50000000", "status": "available"}),
    ("filters only: state + price/m²", {"state": "Ogun", "max_price_per_sqm": "50000"}),
    ("filters only: LGA + since", {"lga": "eti-osa", "created_since": "2026-01-01"}),
    ("page 3 of a word", {"q": "palm", "page": "3"}),
]


class DatabaseTime:
    """The time spent in queries, and how many (connection.execute_wrapper)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.queries = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.queries += 1


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def measure_in_process(admin: User) -> dict[str, dict[str, Any]]:
    """Each search once per run through Django's test client, uncached: the database's
    time and the queries (the caller's too, if any)."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token_pair(admin).access}")
    rows = {}
    for label, params in SEARCHES:
        first = client.get("/api/plots/search/", params)
        assert first.status_code == 200, first.content
        in_db, queries = [], []
        for run in range(RUNS):
            timer = DatabaseTime()
            with connection.execute_wrapper(timer):
                response = client.get("/api/plots/search/", {**params, "n": f"p{run}"})
            assert response.status_code == 200
            in_db.append(timer.seconds * 1000)
            queries.append(timer.queries)
        rows[label] = {
            "results": first.json()["count"],
            "db_p50_ms": statistics.median(in_db),
            "queries": max(queries),
        }
    return rows


class Kind:
    """One measured request: a path, its token, and whether each request's URL is new."""

    def __init__(self, name: str, path: str, token: str | None, *, unique: bool) -> None:
        self.name, self.path, self.token, self.unique = name, path, token, unique
        self.sent = 0

    def get(self) -> tuple[float, int]:
        path = self.path
        if self.unique:
            self.sent += 1
            path += f"{'&' if '?' in path else '?'}n={self.sent}-{time.monotonic_ns()}"
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return timed_get(PORT, path, headers)


def search_kinds(token: str) -> list[Kind]:
    kinds = [Kind("me", "/api/auth/me/", token, unique=False)]
    kinds.append(Kind("healthz", "/healthz", None, unique=False))
    for label, params in SEARCHES:
        path = f"/api/plots/search/?{urlencode(params)}"
        kinds.append(Kind(f"{label} | uncached", path, token, unique=True))
        kinds.append(Kind(f"{label} | cached", path, token, unique=False))
    return kinds


def measure_server(token: str) -> dict[str, Any]:
    """Every kind, RUNS sequential requests a round, ROUNDS rounds (the order of kinds
    rotated each round), after WARMUP requests of each."""
    kinds = search_kinds(token)
    for kind in kinds:
        for _ in range(WARMUP):
            kind.get()
    times: dict[str, list[float]] = {kind.name: [] for kind in kinds}
    statuses: Counter[str] = Counter()
    for number in range(ROUNDS):
        shift = number * len(kinds) // max(ROUNDS, 1)
        for kind in kinds[shift:] + kinds[:shift]:
            for _ in range(RUNS):
                elapsed, status = kind.get()
                times[kind.name].append(elapsed)
                statuses[f"{kind.name} {status}"] += 1
        print(f"round {number + 1} of {ROUNDS} done", flush=True)
    me_mean = statistics.mean(times["me"])
    kinds_out = {
        name: {
            "p50_ms": statistics.median(values),
            "p95_ms": percentile(values, 0.95),
            "max_ms": max(values),
            "mean_ms": statistics.mean(values),
            "of_me": statistics.mean(values) / me_mean,
        }
        for name, values in times.items()
    }
    uncached = [t for name, values in times.items() if name.endswith("uncached") for t in values]
    cached = [t for name, values in times.items() if name.endswith("| cached") for t in values]
    return {
        "kinds": kinds_out,
        "p95_ms_uncached": percentile(uncached, 0.95),
        "p95_ms_cached": percentile(cached, 0.95),
        "not_200": {key: n for key, n in statuses.items() if not key.endswith(" 200")},
    }


def serve_and_measure(database_url: str, admin: User, logs: Path) -> dict[str, Any]:
    token = issue_token_pair(admin).access
    connection.close()
    env = {**os.environ, **SERVER_ENV, "DATABASE_URL": database_url}
    log = logs / "gunicorn.log"
    server = None
    try:
        server = gunicorn(PORT, WORKERS, env, log)
        wait_ready(server, PORT, log)
        return measure_server(token)
    except BaseException:
        print(log_tail(log))
        raise
    finally:
        stop(server)


def explain(company_id: int) -> str:
    backend = PostgresSearchBackend()
    plots = Plot.objects.filter(company_id=company_id).select_related("estate")
    matching = backend.matching(company_id=company_id, plots=plots, text="ikoyi")
    return backend.ranked(plots=matching, text="ikoyi")[:25].explain(analyze=True)


class RolledBack(Exception):
    pass


def explain_matching(company_id: int, plot_id: int) -> str:
    plot = plot_for_search_matching(company_id=company_id, plot_id=plot_id, with_vector=True)
    assert plot is not None and plot.search_vector is not None
    matching = _postgres_matching(_filters_matching(plot), plot.search_vector)
    return matching.values_list("pk", "owner_id", "name").explain(analyze=True)


def measure_matching(company_id: int, estates: list[Estate]) -> dict[str, Any]:
    estate = next(e for e in estates if e.state == "Lagos")
    times, matched = [], 0
    for n in range(RUNS + 1):
        plot = Plot.objects.create(
            company_id=company_id,
            estate=estate,
            plot_number=f"NEW-{n}",
            size_sqm=Decimal("500"),
            price=Decimal("18000000"),
        )
        started = time.perf_counter()
        found = saved_searches_matching_plot(company_id=company_id, plot_id=plot.pk)
        elapsed = (time.perf_counter() - started) * 1000
        if n:  # the first is the warm-up
            times.append(elapsed)
            matched = len(found.matches)
    # The notices written (one transaction), then rolled back: nothing is sent.
    started = time.perf_counter()
    try:
        with transaction.atomic():
            saved_search_matches_tell(company_id=company_id, plot_id=plot.pk)
            written = Notification.objects.filter(category="saved_search_match").count()
            tell_seconds = time.perf_counter() - started
            raise RolledBack
    except RolledBack:
        pass
    plan = explain_matching(company_id, plot.pk)
    return {
        "estate": estate.name,
        "matched": matched,
        "gin_index_used": "saved_search_notify_words" in plan,
        "plan": plan,
        "p50_ms": statistics.median(times),
        "p95_ms": percentile(times, 0.95),
        "max_ms": max(times),
        "times_ms": times,
        "tell_all_seconds": tell_seconds,
        "notifications_written": written,
    }


def main() -> None:
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))
    if port_taken(PORT):
        raise SystemExit(f"Something already listens on {HOST}:{PORT}; set BENCH_PORT.")
    cache = bench_redis(REDIS_URL)
    load_before = os.getloadavg()
    logs = Path(tempfile.mkdtemp(prefix="bench-search-"))
    try:
        with throwaway_database("search") as test_url:
            data = load()
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                (postgres,) = cursor.fetchone()
            in_process = measure_in_process(data["admin"])
            served = serve_and_measure(test_url, data["admin"], logs)
            plan = explain(data["company_id"])
            matching = measure_matching(data["company_id"], data["estates"])
    finally:
        cache.flushdb()
    kinds = []
    for label, params in SEARCHES:
        uncached = served["kinds"][f"{label} | uncached"]
        cached = served["kinds"][f"{label} | cached"]
        kinds.append(
            {
                "search": label,
                "params": params,
                **in_process[label],
                "uncached": uncached,
                "cached": cached,
            }
        )
    result = {
        "measured_at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
        "machine": machine(load_before),
        "postgres": postgres,
        "plots": PLOTS,
        "estates": ESTATES,
        "saved_searches": SAVED,
        "settings": {
            "gunicorn_workers": WORKERS,
            "rounds": ROUNDS,
            "requests_per_kind_per_round": RUNS,
            "client": "sequential, one request at a time, a new connection each",
        },
        "load_seconds": {"plots": data["plots_seconds"], "saved_searches": data["saved_seconds"]},
        "search": {
            "target_p95_ms": SEARCH_TARGET_MS,
            "p95_ms_uncached": served["p95_ms_uncached"],
            "p95_ms_cached": served["p95_ms_cached"],
            "me": served["kinds"]["me"],
            "healthz": served["kinds"]["healthz"],
            "kinds": kinds,
            "not_200": served["not_200"],
        },
        "explain": {"gin_index_used": "estates_plot_search_vector_gin" in plan, "plan": plan},
        "matching": {
            "target_ms": MATCH_TARGET_MS,
            **{k: v for k, v in matching.items() if k != "times_ms"},
        },
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    report(result)


def report(result: dict[str, Any]) -> None:
    search = result["search"]
    print(
        f"Plot search: {result['plots']:,} plots in {result['estates']} estates, one company;"
        f" through gunicorn ({WORKERS} sync workers), sequential requests, {ROUNDS} rounds x"
        f" {RUNS} of each kind (PostgreSQL {result['postgres']}, Redis)"
    )
    print(
        f"/api/auth/me/ p50 {search['me']['p50_ms']:.1f} ms, p95 {search['me']['p95_ms']:.1f}"
        f" ms; /healthz p50 {search['healthz']['p50_ms']:.1f} ms"
    )
    print(
        f"{'search':<32} {'results':>7} {'p50':>6} {'p95':>6} {'max':>6} {'x me':>5}"
        f" {'DB p50':>6} {'qs':>3} | {'cached p50':>10} {'p95':>6}"
    )
    for row in search["kinds"]:
        un, ca = row["uncached"], row["cached"]
        print(
            f"{row['search']:<32} {row['results']:>7,} {un['p50_ms']:>6.1f} {un['p95_ms']:>6.1f}"
            f" {un['max_ms']:>6.1f} {un['of_me']:>5.2f} {row['db_p50_ms']:>6.1f}"
            f" {row['queries']:>3} | {ca['p50_ms']:>10.1f} {ca['p95_ms']:>6.1f}"
        )
    met = search["p95_ms_uncached"] <= SEARCH_TARGET_MS
    print(
        f"p95 of all searches uncached: {search['p95_ms_uncached']:.1f} ms (target"
        f" {SEARCH_TARGET_MS:.0f} ms: {'met' if met else 'NOT met'}); cached:"
        f" {search['p95_ms_cached']:.1f} ms; GIN index used: {result['explain']['gin_index_used']};"
        f" responses other than 200: {search['not_200'] or 'none'}"
    )
    matching = result["matching"]
    met = matching["p95_ms"] <= MATCH_TARGET_MS
    print(
        f"Saved-search matching, one new plot against {result['saved_searches']:,}"
        " saved searches:"
        f" p50 {matching['p50_ms']:.1f} ms, p95 {matching['p95_ms']:.1f} ms,"
        f" max {matching['max_ms']:.1f} ms, {matching['matched']:,} matched"
        f" (target {MATCH_TARGET_MS:.0f} ms: {'met' if met else 'NOT met'}; GIN index on the"
        f" words used: {matching['gin_index_used']});"
        f" writing their {matching['notifications_written']:,} notices:"
        f" {matching['tell_all_seconds']:.2f} s"
    )
    print(f"written to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
