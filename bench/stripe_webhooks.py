"""Benchmark: signed Stripe webhook deliveries accepted per second through gunicorn on
PostgreSQL, with 20 % duplicates, against a trivial authenticated endpoint of the same
server in the same run; then whether any duplicate was processed.

Run with `make bench` (or `python bench/stripe_webhooks.py`), DATABASE_URL pointing at a
PostgreSQL server; on SQLite it refuses. Redis at BENCH_REDIS_URL (default
redis://127.0.0.1:6379/12: a database of its own, flushed before and after) is the
server's cache, throttle counters and Celery broker.

Method:

1. A throwaway database beside the one DATABASE_URL names (`test_<name>_stripe_webhooks`,
   Django's test-database machinery: created and migrated, dropped at the end;
   BENCH_KEEPDB=1 keeps it), holding the plans' Stripe prices, BENCH_COMPANIES (300)
   companies paying by card (each linked to its Stripe customer and subscription), and an
   Enterprise company whose admin signs in for the baseline (limits far above what the
   run sends, so the throttled baseline is never refused; any 429 is counted).
2. One gunicorn server (BENCH_WORKERS, default 4 sync workers, on 127.0.0.1:BENCH_PORT,
   default 8300; gunicorn.conf.py applies, as in production) with the development
   settings and DEBUG off, persistent database connections (DB_CONN_MAX_AGE=3600:
   production's 60 s would reconnect each worker about once a minute, a cost spread over
   thousands of requests, but a session that ends takes its CPU time out of the count
   below), Redis as cache and broker, STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET set
   (intake makes no call to Stripe).
   Four sync workers on two cores: a sync worker waits for every database round trip
   and for the commit's WAL flush, so two per core keep the cores busy (the README's
   production command runs four too). The server's settings module,
   bench/stripe_webhooks_settings.py, only swaps the URL conf for
   bench/stripe_webhooks_urls.py: the product's URLs plus two trivial endpoints, so no
   bench route is in the product's URLs.
3. Three kinds of request, each answered by the same processes:
   - "webhook": POST /api/webhooks/stripe/, a Stripe event signed (the SDK's scheme, the
     test helpers' `sign`) at send time with the current timestamp;
   - "ping": GET /api/bench/ping/ with the admin's JWT (`Authorization: Bearer`, from the
     login endpoint): the project's default authentication (token, revocation look-up,
     the caller's company), IsAuthenticated, no throttle, `{"ok": true}`. The target is
     judged against this one: the cheapest authenticated DRF request, so the stricter bar;
   - "ping-throttled": the same with the project's default throttle (tier limits and
     metering in one Redis call), which every real API endpoint pays; shown for context.
4. Load: BENCH_THREADS (8) client threads, a new connection per request (sync gunicorn
   closes each), a warm-up of BENCH_WARMUP (200) requests of each kind, then BENCH_ROUNDS
   (3) rounds of BENCH_REQUESTS (2,000) requests of each kind, the kinds interleaved and
   their order rotated each round so drift hits them alike. A round's deliveries are 80 %
   fresh events, made before the round (the test helpers' objects in the pinned API
   version's shapes): half `customer.subscription.updated` for a card-paying company
   (a tier and status change, found by its metadata), a quarter
   `payment_method.attached` (a new card, found by its customer) and a quarter
   `charge.succeeded` (no handler: stored as ignored); and 20 % re-deliveries of events
   of the same round, each re-signed when sent: half within the next few deliveries
   (most of those in flight with their original; how many is reported), half later in
   the round. Warm-up events are fresh and count as sent. Per request: status and
   latency (connect to last byte); per round: requests per second (requests / the
   round's wall time), p50/p95/p99, and the CPU time a request of the gunicorn workers,
   of their PostgreSQL sessions and of this client (from /proc; on a machine shared with
   other work, steadier than the rates). Reported: the medians over rounds, webhook /
   ping of the median rates (target: at least 0.5), and the same comparison in server
   and database CPU.
5. After the timed phases the server is stopped and the checks begin, with no Celery
   worker having run so far: the broker's queue must hold exactly one task per unique
   event (none for a duplicate) and every stored event be `received`. Then a Celery
   worker (prefork, BENCH_WORKER_CONCURRENCY, default 2: one per core) drains the
   queue; processed per second is the stored events over the span from the first to the
   last `processed_at` (the worker's start-up apart). Then "zero duplicates processed":
   one row per unique event sent, every row attempted once and `processed` (handled
   types) or `ignored` (charges), none `failed`, one PaymentMethod per
   `payment_method.attached` event, and every company named by a subscription event
   updated.

Prints a table and writes bench/results/stripe_webhooks.json. Not a test: numbers, no
asserts. Processes it started are stopped, and the database dropped, even on Ctrl-C.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
HOST = "127.0.0.1"
PORT = int(os.environ.get("BENCH_PORT", "8300"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
THREADS = int(os.environ.get("BENCH_THREADS", "8"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
REQUESTS_PER_ROUND = int(os.environ.get("BENCH_REQUESTS", "2000"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "200"))
COMPANIES = int(os.environ.get("BENCH_COMPANIES", "300"))
WORKER_CONCURRENCY = int(os.environ.get("BENCH_WORKER_CONCURRENCY", "2"))
DRAIN_TIMEOUT = float(os.environ.get("BENCH_DRAIN_TIMEOUT", "900"))
DUPLICATE_SHARE = 0.2
TARGET_RATIO = 0.5
SEED = 20261128
WEBHOOK_SECRET = "whsec_bench"  # noqa: S105 - a throwaway signing secret
ADMIN_EMAIL = "bench-admin@example.ng"
ADMIN_PASSWORD = "Bench-Password-2026"  # noqa: S105 - a throwaway user in a throwaway database
CELERY_QUEUE = "celery"
BIN = Path(sys.executable).parent

# The server's environment (and this process's, so both read the same settings).
SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "bench.stripe_webhooks_settings",
    "DJANGO_ENV": "development",
    "DEBUG": "false",
    "REDIS_URL": REDIS_URL,
    "CELERY_BROKER_URL": REDIS_URL,
    "STRIPE_SECRET_KEY": "sk_test_bench",
    "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
    "DB_CONN_MAX_AGE": "3600",
    "JWT_ACCESS_MINUTES": "240",
    "LOG_LEVEL": "WARNING",
    "SENTRY_DSN": "",
}
os.environ.update(SERVER_ENV)

import django  # noqa: E402

django.setup()

import redis  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Max, Min  # noqa: E402

from apps.accounts.services import user_create  # noqa: E402
from apps.companies.models import Company, Membership, Plan, PlanStripePrice  # noqa: E402
from apps.core.roles import Role  # noqa: E402
from apps.payments.models import PaymentMethod, WebhookEvent, WebhookStatus  # noqa: E402
from bench.server_harness import CpuMeter, log_tail, port_taken, stop, wait_ready  # noqa: E402
from tests.payments import stripe_objects as so  # noqa: E402
from tests.payments.stripe_server import PRICES, price_id  # noqa: E402
from tests.payments.stripe_signing import SIGNATURE_HEADER, event_body, sign  # noqa: E402

WEBHOOK, PING, PING_THROTTLED = "webhook", "ping", "ping-throttled"
PATHS = {
    WEBHOOK: "/api/webhooks/stripe/",
    PING: "/api/bench/ping/",
    PING_THROTTLED: "/api/bench/ping-throttled/",
}
KINDS = (WEBHOOK, PING, PING_THROTTLED)
SUBSCRIPTION_UPDATED = "customer.subscription.updated"
CARD_ATTACHED = "payment_method.attached"
CHARGE_SUCCEEDED = "charge.succeeded"
# The unique events' types and shares.
MIX = ((SUBSCRIPTION_UPDATED, 0.5), (CARD_ATTACHED, 0.25), (CHARGE_SUCCEEDED, 0.25))
# What processing makes of each type.
OUTCOME = {
    SUBSCRIPTION_UPDATED: WebhookStatus.PROCESSED,
    CARD_ATTACHED: WebhookStatus.PROCESSED,
    CHARGE_SUCCEEDED: WebhookStatus.IGNORED,
}
DELIVERY_HEADERS = {
    "Content-Type": "application/json; charset=utf-8",
    "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
}
BRANDS = ("visa", "mastercard", "verve")


class Interrupted(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C so the processes and the database are cleaned up."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise Interrupted()


# --- the data ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CardPayer:
    company_id: int
    customer_id: str
    subscription_id: str


def load(companies: int) -> list[CardPayer]:
    """The plans' Stripe prices, ``companies`` card payers and the signed-in admin's
    Enterprise company; returns the card payers."""
    plans = {plan.code: plan for plan in Plan.objects.all()}
    for tier, plan in plans.items():
        PlanStripePrice.objects.update_or_create(
            plan=plan,
            environment=settings.STRIPE_ENVIRONMENT,
            defaults={"price_id": price_id(tier)},
        )
    rng = random.Random(SEED)
    rows = []
    for n in range(1, companies + 1):
        tier = rng.choice(["starter", "starter", "professional", "enterprise"])
        plan = plans[tier]
        rows.append(
            Company(
                name=f"Card Payer {n:04d} Realty Ltd",
                slug=f"card-payer-{n}",
                billing_email=f"accounts@card-payer-{n}.example.ng",
                stripe_customer_id=f"cus_bench{n:06d}",
                stripe_subscription_id=f"sub_bench{n:06d}",
                subscription_tier=tier,
                subscription_status="active",
                max_plots=plan.included_plots,
                max_agents=plan.included_agents,
                max_api_calls_daily=plan.daily_api_calls,
            )
        )
    Company.objects.bulk_create(rows)
    bench = Company.objects.create(
        name="Bench Realty",
        slug="bench",
        billing_email=ADMIN_EMAIL,
        subscription_tier="enterprise",
        subscription_status="active",
        max_plots=10**6,
        max_agents=10,
        max_api_calls_daily=10**9,
        api_hourly_limit_override=10**9,
    )
    user_id = user_create(email=ADMIN_EMAIL, password=ADMIN_PASSWORD, email_verified=True)
    Membership.objects.create(company=bench, user_id=user_id, role=Role.COMPANY_ADMIN)
    return [
        CardPayer(company.pk, company.stripe_customer_id, company.stripe_subscription_id)
        for company in Company.objects.exclude(pk=bench.pk).order_by("pk")
    ]


# --- events and requests -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SentEvent:
    id: str
    type: str
    company_id: int
    payment_method_id: str = ""


def make_event(rng: random.Random, payer: CardPayer) -> tuple[SentEvent, bytes]:
    """A fresh event of the mix, for ``payer``; and its body as Stripe sends it."""
    kind = rng.choices([kind for kind, _ in MIX], weights=[share for _, share in MIX])[0]
    pm_id = ""
    if kind == SUBSCRIPTION_UPDATED:
        tier = rng.choice(list(PRICES))
        status = rng.choice(["active", "active", "active", "past_due"])
        subscription = so.subscription(
            payer.customer_id,
            price_id(tier),
            status=status,
            metadata={"company_id": str(payer.company_id)},
            id=payer.subscription_id,
            unit_amount=PRICES[tier],
        )
        previous = {"status": "active" if status == "past_due" else "past_due"}
        event = so.event(kind, subscription, previous_attributes=previous)
    elif kind == CARD_ATTACHED:
        pm_id = so.new_id("payment_method")
        method = so.payment_method(
            rng.choice(BRANDS),
            f"{rng.randrange(10_000):04d}",
            rng.randint(1, 12),
            rng.randint(2027, 2032),
            id=pm_id,
            customer=payer.customer_id,
        )
        event = so.event(kind, method)
    else:
        amount = PRICES[rng.choice(list(PRICES))]
        charge = so.stripe_object(
            "charge",
            customer=payer.customer_id,
            amount=amount,
            amount_captured=amount,
            currency=so.CURRENCY,
            payment_intent=so.new_id("payment_intent"),
        )
        event = so.event(kind, charge)
    return SentEvent(event["id"], kind, payer.company_id, pm_id), event_body(event)


@dataclass(slots=True)
class Request:
    kind: str
    body: bytes | None = None  # a delivery's event body; None: a GET
    event: int = -1  # which of the round's unique events a delivery carries
    duplicate: bool = False


def webhook_requests(
    rng: random.Random, payers: list[CardPayer], count: int, duplicate_share: float
) -> tuple[list[Request], list[SentEvent]]:
    """``count`` deliveries: fresh events, and ``duplicate_share`` of them re-deliveries of
    those, half close behind their original (in flight with it), half later."""
    duplicates = round(count * duplicate_share)
    unique = count - duplicates
    events, keyed = [], []
    for n in range(unique):
        sent, body = make_event(rng, rng.choice(payers))
        events.append(sent)
        keyed.append((float(n), Request(WEBHOOK, body, n)))
    for number, n in enumerate(rng.sample(range(unique), duplicates)):
        if number % 2 == 0:
            position = n + rng.uniform(0.5, THREADS)
        else:
            position = rng.uniform(n + THREADS, max(unique, n + THREADS + 1))
        keyed.append((position, Request(WEBHOOK, keyed[n][1].body, n, duplicate=True)))
    keyed.sort(key=lambda pair: pair[0])
    return [request for _, request in keyed], events


# --- the load ------------------------------------------------------------------------------


@dataclass
class Fired:
    requests: list[Request]
    starts: list[float]
    ends: list[float]
    statuses: list[int]
    errors: Counter[str] = field(default_factory=Counter)


def fire(requests: list[Request], token: str) -> Fired:
    """Send ``requests`` from THREADS threads, in order, each on a new connection."""
    n = len(requests)
    fired = Fired(requests, [0.0] * n, [0.0] * n, [0] * n)
    numbers = itertools.count()
    lock = threading.Lock()
    auth = {"Authorization": f"Bearer {token}"}

    def client() -> None:
        while (i := next(numbers)) < n:
            request = requests[i]
            if request.body is None:
                method, headers = "GET", auth
            else:
                # Signed as it is sent, with the current time, as Stripe signs each attempt.
                signature = sign(request.body, WEBHOOK_SECRET)
                method, headers = "POST", {**DELIVERY_HEADERS, SIGNATURE_HEADER: signature}
            conn = http.client.HTTPConnection(HOST, PORT, timeout=60)
            started = time.perf_counter()
            try:
                conn.request(method, PATHS[request.kind], request.body, headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                status = 0  # no answer
                with lock:
                    fired.errors[type(exc).__name__] += 1
            finally:
                conn.close()
            fired.ends[i] = time.perf_counter()
            fired.starts[i] = started
            fired.statuses[i] = status

    threads = [threading.Thread(target=client, daemon=True) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        while thread.is_alive():
            thread.join(0.2)
    return fired


def summarise(fired: Fired, round_number: int | str) -> dict[str, Any]:
    latencies = sorted(end - start for start, end in zip(fired.starts, fired.ends, strict=True))
    wall = max(fired.ends) - min(fired.starts)
    cuts = statistics.quantiles(latencies, n=100)
    kind = fired.requests[0].kind
    row: dict[str, Any] = {
        "round": round_number,
        "kind": kind,
        "requests": len(latencies),
        "seconds": wall,
        "rps": len(latencies) / wall,
        "p50_ms": cuts[49] * 1000,
        "p95_ms": cuts[94] * 1000,
        "p99_ms": cuts[98] * 1000,
        "statuses": {
            str(status): count for status, count in sorted(Counter(fired.statuses).items())
        },
        "connection_errors": dict(fired.errors),
    }
    if kind == WEBHOOK:
        original: dict[int, int] = {}
        for i, request in enumerate(fired.requests):
            if not request.duplicate:
                original[request.event] = i
        overlapping = 0
        duplicates = 0
        for i, request in enumerate(fired.requests):
            if request.duplicate:
                duplicates += 1
                first = original[request.event]
                if fired.starts[i] < fired.ends[first] and fired.starts[first] < fired.ends[i]:
                    overlapping += 1
        row["unique_events"] = len(original)
        row["duplicates"] = duplicates
        row["duplicates_in_flight_with_original"] = overlapping
    return row


# --- processes -----------------------------------------------------------------------------


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(  # noqa: S603 - our own executables and arguments
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def login() -> str:
    conn = http.client.HTTPConnection(HOST, PORT, timeout=30)
    body = json.dumps({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    conn.request("POST", "/api/auth/login/", body, {"Content-Type": "application/json"})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    if response.status != 200:
        raise SystemExit(f"login answered {response.status}: {data[:300]!r}")
    return json.loads(data)["access"]


# --- the checks ----------------------------------------------------------------------------


def queue_length(broker: redis.Redis) -> int:
    return int(broker.llen(CELERY_QUEUE))


def stored_summary() -> dict[str, Any]:
    by_status = dict(
        WebhookEvent.objects.values_list("status").annotate(n=Count("id")).order_by("status")
    )
    return {
        "rows": WebhookEvent.objects.count(),
        "distinct_event_ids": WebhookEvent.objects.values("event_id").distinct().count(),
        "by_status": by_status,
    }


def drain(env: dict[str, str], broker: redis.Redis, log: Path) -> dict[str, Any]:
    """Start a worker, wait until no stored event is left to process, stop it."""
    command = [str(BIN / "celery"), "-A", "config", "worker", "--pool", "prefork"]
    command += ["--concurrency", str(WORKER_CONCURRENCY), "--loglevel", "WARNING"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    command += ["--hostname", f"bench-webhooks-{os.getpid()}@%h"]
    started = time.perf_counter()
    worker = start(command, env, log)
    drained = False
    try:
        deadline = time.monotonic() + DRAIN_TIMEOUT
        while time.monotonic() < deadline:
            if worker.poll() is not None:
                raise SystemExit(
                    f"the Celery worker exited ({worker.returncode}):\n{log_tail(log)}"
                )
            left = WebhookEvent.objects.filter(status=WebhookStatus.RECEIVED).count()
            if left == 0 and queue_length(broker) == 0:
                drained = True
                break
            time.sleep(0.25)
        seconds = time.perf_counter() - started
    finally:
        stop(worker)
    span = WebhookEvent.objects.aggregate(first=Min("processed_at"), last=Max("processed_at"))
    done = WebhookEvent.objects.exclude(status=WebhookStatus.RECEIVED).count()
    busy = (span["last"] - span["first"]).total_seconds() if span["first"] and span["last"] else 0.0
    return {
        "concurrency": WORKER_CONCURRENCY,
        "drained": drained,
        "events_done": done,
        "seconds_from_start": seconds,
        "seconds_first_to_last": busy,
        "events_per_second": done / busy if busy else None,
    }


def duplicate_checks(sent: list[SentEvent], tasks_enqueued: int) -> dict[str, Any]:
    expected = Counter(OUTCOME[event.type] for event in sent)
    by_status = dict(
        WebhookEvent.objects.values_list("status").annotate(n=Count("id")).order_by("status")
    )
    attempts = dict(
        WebhookEvent.objects.values_list("attempts").annotate(n=Count("id")).order_by("attempts")
    )
    card_events = {event.payment_method_id for event in sent if event.type == CARD_ATTACHED}
    subscription_companies = {
        event.company_id for event in sent if event.type == SUBSCRIPTION_UPDATED
    }
    stored_ids = set(WebhookEvent.objects.values_list("event_id", flat=True))
    checks = {
        "unique_events_sent": len(sent),
        "tasks_enqueued": tasks_enqueued,
        "rows_stored": sum(by_status.values()),
        "rows_missing": len({event.id for event in sent} - stored_ids),
        "rows_by_status": by_status,
        "expected_by_status": {str(status): n for status, n in sorted(expected.items())},
        "rows_by_attempts": {str(key): value for key, value in attempts.items()},
        "payment_method_events": len(card_events),
        "payment_method_rows": PaymentMethod.objects.count(),
        "payment_method_rows_from_events": PaymentMethod.objects.filter(
            gateway_id__in=card_events
        ).count(),
        "companies_in_subscription_events": len(subscription_companies),
        "companies_updated": Company.objects.filter(
            pk__in=subscription_companies, gateway_state_at__isnull=False
        ).count(),
    }
    checks["zero_duplicates_processed"] = (
        checks["tasks_enqueued"] == len(sent)
        and checks["rows_stored"] == len(sent)
        and checks["rows_missing"] == 0
        and set(attempts) == {1}
        and by_status == checks["expected_by_status"]
        and checks["payment_method_rows"] == len(card_events)
        and checks["payment_method_rows_from_events"] == len(card_events)
        and checks["companies_updated"] == len(subscription_companies)
    )
    return checks


# --- the run -------------------------------------------------------------------------------


MEASURES = (
    "rps",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "server_cpu_ms",
    "database_cpu_ms",
    "client_cpu_ms",
)


def median_of(rows: list[dict[str, Any]], kind: str, key: str) -> float:
    return statistics.median(row[key] for row in rows if row["kind"] == kind)


def _machine_ms(row: dict[str, Any]) -> float:
    return row["server_cpu_ms"] + row["database_cpu_ms"]


def run(database_url: str, logs: Path) -> dict[str, Any]:
    broker = redis.Redis.from_url(REDIS_URL)
    env = {**os.environ, **SERVER_ENV, "DATABASE_URL": database_url}
    rng = random.Random(SEED)
    payers = load(COMPANIES)
    connection.close()
    server = None
    gunicorn_log = logs / "gunicorn.log"
    try:
        command = [str(BIN / "gunicorn"), "config.wsgi:application"]
        command += ["--bind", f"{HOST}:{PORT}", "--workers", str(WORKERS)]
        command += ["--worker-class", "sync", "--timeout", "60", "--log-level", "warning"]
        server = start(command, env, gunicorn_log)
        wait_ready(server, PORT, gunicorn_log)
        token = login()
        # Whatever set-up and sign-in enqueued is not the webhook's.
        broker.delete(CELERY_QUEUE)

        sent: list[SentEvent] = []
        warmup: list[dict[str, Any]] = []
        for kind in KINDS:
            if kind == WEBHOOK:
                requests, events = webhook_requests(rng, payers, WARMUP, 0.0)
                sent += events
            else:
                requests = [Request(kind) for _ in range(WARMUP)]
            warmup.append(summarise(fire(requests, token), "warm-up"))
        meter = CpuMeter(server.pid)

        rows: list[dict[str, Any]] = []
        for number in range(1, ROUNDS + 1):
            shift = (number - 1) % len(KINDS)
            for kind in KINDS[shift:] + KINDS[:shift]:
                if kind == WEBHOOK:
                    requests, events = webhook_requests(
                        rng, payers, REQUESTS_PER_ROUND, DUPLICATE_SHARE
                    )
                    sent += events
                else:
                    requests = [Request(kind) for _ in range(REQUESTS_PER_ROUND)]
                before = meter.snapshot()
                fired = fire(requests, token)
                after = meter.snapshot()
                row = summarise(fired, number)
                row.update(meter.per_request_ms(before, after, len(requests)))
                rows.append(row)
                print(
                    f"round {number} {kind:<15} {row['rps']:>7.1f} req/s"
                    f"  p50 {row['p50_ms']:.1f} ms  statuses {row['statuses']}",
                    flush=True,
                )
    finally:
        stop(server)

    tasks_enqueued = queue_length(broker)
    before_worker = stored_summary()
    worker = drain(env, broker, logs / "celery.log")
    checks = duplicate_checks(sent, tasks_enqueued)
    checks["stored_before_worker"] = before_worker

    medians = {kind: {key: median_of(rows, kind, key) for key in MEASURES} for kind in KINDS}
    ratio = medians[WEBHOOK]["rps"] / medians[PING]["rps"]
    statuses: Counter[str] = Counter()
    for row in warmup + rows:
        statuses.update({f"{row['kind']} {status}": n for status, n in row["statuses"].items()})
    not_200 = {key: n for key, n in statuses.items() if not key.endswith(" 200")}
    return {
        "warmup": warmup,
        "rounds": rows,
        "medians": medians,
        "ratio_webhook_to_ping": ratio,
        "ratio_webhook_to_ping_throttled": medians[WEBHOOK]["rps"] / medians[PING_THROTTLED]["rps"],
        # The same comparison in CPU: a ping's server and database CPU over a delivery's.
        "cpu_ratio_ping_to_webhook": _machine_ms(medians[PING]) / _machine_ms(medians[WEBHOOK]),
        "statuses": dict(sorted(statuses.items())),
        "not_200": not_200,
        "responses_429": sum(n for key, n in statuses.items() if key.endswith(" 429")),
        "target_met": ratio >= TARGET_RATIO and not not_200 and checks["zero_duplicates_processed"],
        "duplicates": checks,
        "worker": worker,
    }


def _measures(row: dict[str, Any]) -> str:
    return (
        f"{row['rps']:>8.1f} {row['p50_ms']:>7.1f} {row['p95_ms']:>7.1f} {row['p99_ms']:>7.1f}"
        f" {row['server_cpu_ms']:>8.2f} {row['database_cpu_ms']:>7.2f}"
        f" {row['client_cpu_ms']:>7.2f}"
    )


def report(result: dict[str, Any]) -> None:
    s = result["settings"]
    print(
        f"\nSigned Stripe webhook deliveries vs a trivial authenticated endpoint: gunicorn"
        f" ({s['gunicorn_workers']} sync workers), PostgreSQL {result['postgres']}, Redis,"
        f" {s['client_threads']} client threads, {s['rounds']} rounds x"
        f" {s['requests_per_round']:,} requests of each kind"
    )
    header = ("round", "endpoint", "req/s", "p50 ms", "p95 ms", "p99 ms")
    header += ("app CPU", "DB CPU", "client", "statuses")
    print("{:<8} {:<15} {:>8} {:>7} {:>7} {:>7} {:>8} {:>7} {:>7}  {}".format(*header))
    for row in result["rounds"]:
        extra = ""
        if row["kind"] == WEBHOOK:
            extra = (
                f"  ({row['duplicates']} re-deliveries, {row['duplicates_in_flight_with_original']}"
                " in flight with their original)"
            )
        print(f"{row['round']!s:<8} {row['kind']:<15} {_measures(row)}  {row['statuses']}{extra}")
    for kind, median in result["medians"].items():
        print(f"{'median':<8} {kind:<15} {_measures(median)}")
    print(
        "(CPU: milliseconds a request, of the gunicorn workers, their PostgreSQL backends"
        " and this client)"
    )
    ratio = result["ratio_webhook_to_ping"]
    print(
        f"\nwebhook / ping: {ratio:.2f} (target >= {TARGET_RATIO}:"
        f" {'met' if ratio >= TARGET_RATIO else 'NOT met'}); webhook / ping-throttled:"
        f" {result['ratio_webhook_to_ping_throttled']:.2f}; in server and database CPU a"
        f" request, ping / webhook: {result['cpu_ratio_ping_to_webhook']:.2f}"
    )
    print(
        f"responses other than 200: {result['not_200'] or 'none'}; 429s: {result['responses_429']}"
    )
    d = result["duplicates"]
    print(
        f"\nunique events sent {d['unique_events_sent']:,} (warm-up included); tasks enqueued"
        f" {d['tasks_enqueued']:,}; rows stored {d['rows_stored']:,}"
        f" (before the worker: {d['stored_before_worker']['by_status']})"
    )
    print(
        f"after the worker: {d['rows_by_status']} (expected {d['expected_by_status']});"
        f" attempts {d['rows_by_attempts']}"
    )
    print(
        f"payment methods {d['payment_method_rows']:,} for {d['payment_method_events']:,}"
        f" payment_method.attached events; companies updated {d['companies_updated']} of"
        f" {d['companies_in_subscription_events']} named by subscription events"
    )
    w = result["worker"]
    rate = w["events_per_second"]
    print(
        f"worker (prefork, concurrency {w['concurrency']}): {w['events_done']:,} events,"
        f" {rate or 0:.0f}/s from first to last processed ({w['seconds_first_to_last']:.1f} s);"
        f" {w['seconds_from_start']:.1f} s from its start to drained"
        f"{'' if w['drained'] else ' (NOT drained: timed out)'}"
    )
    print(
        f"zero duplicates processed: {'yes' if d['zero_duplicates_processed'] else 'NO'};"
        f" target met: {'yes' if result['target_met'] else 'NO'}"
    )


def main() -> None:
    signal.signal(signal.SIGTERM, _on_sigterm)
    database = connection.settings_dict
    if not database["ENGINE"].endswith("postgresql"):
        raise SystemExit(
            "bench/stripe_webhooks.py measures the webhook on PostgreSQL; DATABASE_URL points"
            f" at {database['ENGINE'].rsplit('.', 1)[-1]}. Run it with, for example,"
            " DATABASE_URL=postgres://postgres@127.0.0.1:5432/estateapp (a throwaway database"
            " beside it is created and dropped)."
        )
    broker = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        broker.ping()
    except redis.RedisError as exc:
        raise SystemExit(
            f"The benchmark needs Redis at {REDIS_URL} (BENCH_REDIS_URL): {exc}"
        ) from exc
    if port_taken(PORT):
        raise SystemExit(f"Something already listens on {HOST}:{PORT}; set BENCH_PORT.")
    broker.flushdb()
    original_name = database["NAME"]
    database.setdefault("TEST", {})["NAME"] = f"test_{original_name}_stripe_webhooks"
    load_before = os.getloadavg()
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (postgres,) = cursor.fetchone()
        cursor.execute("SHOW synchronous_commit")
        (synchronous_commit,) = cursor.fetchone()
    url = urlsplit(os.environ["DATABASE_URL"])
    test_url = urlunsplit(url._replace(path=f"/{test_name}"))
    logs = Path(tempfile.mkdtemp(prefix="bench-webhooks-"))
    try:
        outcome = run(test_url, logs)
    finally:
        connection.close()
        broker.flushdb()
        if os.environ.get("BENCH_KEEPDB"):
            print(f"kept the database {test_name} (BENCH_KEEPDB); the next run replaces it")
        else:
            connection.creation.destroy_test_db(original_name, verbosity=0)
        print(f"server and worker logs in {logs}")
    result = {
        "measured_at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average_before": load_before,
            "load_average_after": os.getloadavg(),
        },
        "postgres": postgres,
        "synchronous_commit": synchronous_commit,
        "settings": {
            "gunicorn_workers": WORKERS,
            "worker_class": "sync",
            "client_threads": THREADS,
            "rounds": ROUNDS,
            "requests_per_round": REQUESTS_PER_ROUND,
            "warmup_per_kind": WARMUP,
            "duplicate_share": DUPLICATE_SHARE,
            "event_mix": dict(MIX),
            "card_paying_companies": COMPANIES,
            "db_conn_max_age": int(SERVER_ENV["DB_CONN_MAX_AGE"]),
            "ping": "default authentication (JWT), IsAuthenticated, no throttle",
            "ping_throttled": "the same with the default throttle (TenantRateThrottle)",
        },
        "target": f"webhook req/s >= {TARGET_RATIO} x ping req/s, every delivery 200, zero"
        " duplicates processed",
        **outcome,
    }
    report(result)
    out = ROOT / "bench" / "results" / "stripe_webhooks.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("\ninterrupted: the server and worker were stopped, no results written")
        sys.exit(130)
