"""Benchmark: one notification fanned out to 10,000 people on PostgreSQL: wall time and
queries, and whether the queries per batch of recipients stay constant.

Run with `make bench` (or `python bench/notification_fanout.py`), DATABASE_URL pointing
at a PostgreSQL server; on SQLite it refuses. It makes a throwaway database beside the
one DATABASE_URL names (`test_<name>_notification_fanout`, through Django's
test-database machinery: created and migrated, dropped at the end; BENCH_KEEPDB=1 keeps
it). Redis at BENCH_REDIS_URL (default redis://127.0.0.1:6379/15: a database of its own,
flushed before each run and at the end) is the Celery broker, so the send tasks are
really enqueued (a message each, on commit) but no worker runs and nothing is sent while
measuring.

The data: one company and BENCH_RECIPIENTS (10,000) people, all its marketers, made in a
few bulk inserts: 15 % have no phone; for the weekly summary (email and in-app, a
category people may turn off, so their preferences are read) 10 % turned email off, 3 %
in-app off, 1 % both, and 6 % saved a preference that keeps everything on; a third of
everyone saved choices for other categories, which the query must pass over.

Measured: `notification_send` (apps.notifications.services) for one weekly summary,
called as the receivers call it (outside any transaction: its own transaction commits,
then its on-commit callbacks enqueue the send tasks), to the first 1,000, 5,000 and all
10,000 people, BENCH_RUNS (5) times each with a fresh key, after one warm-up send. Per
call: the wall and CPU time, the queries (CaptureQueriesContext) and the time spent in
them (an execute_wrapper), the queries of each batch of BATCH_SIZE recipients, and,
apart, the time spent enqueuing the send tasks (every `send_deliveries.delay`, timed);
then the broker's queue is counted (one task per TASK_CHUNK queued deliveries) and the
rows written checked against the people's preferences. Reading the 10,000 recipients'
contacts (audiences.users, one query) happens before the call and is reported apart.
BENCH_PROFILE=<file> writes a cProfile of one 10,000-recipient call there (sorted by
cumulative time) instead of the results.

Prints a table and writes bench/results/notification_fanout.json. Not a test: numbers,
no asserts.
"""

from __future__ import annotations

import cProfile
import io
import itertools
import json
import math
import os
import platform
import pstats
import re
import statistics
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BROKER_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
# The development settings with a broker, as a deployment runs them: tasks are enqueued,
# not run in-process.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ["CELERY_BROKER_URL"] = BROKER_URL
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

import redis  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from apps.accounts.models import User  # noqa: E402
from apps.companies.models import Company, Membership  # noqa: E402
from apps.notifications import audiences, outbox, tasks  # noqa: E402
from apps.notifications.categories import Category, Channel  # noqa: E402
from apps.notifications.models import (  # noqa: E402
    Delivery,
    DeliveryStatus,
    NotificationDispatch,
    NotificationPreference,
    UserNotification,
)
from apps.notifications.services import Recipient, notification_send  # noqa: E402

RECIPIENTS = int(os.environ.get("BENCH_RECIPIENTS", "10000"))
SIZES = sorted({n for n in (1000, 5000) if n < RECIPIENTS} | {RECIPIENTS})
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
TARGET_SECONDS = 2.0
CATEGORY = Category.WEEKLY_SUMMARY
OTHER_CATEGORIES = [Category.COMMISSION_PAID, Category.AFFILIATION_APPROVED, Category.TRIAL_ENDING]
FIRST_NAMES = ["Adaeze", "Babatunde", "Chinedu", "Damilola", "Emeka", "Funmilayo", "Garba"]
FIRST_NAMES += ["Halima", "Ifeoma", "Kelechi", "Ngozi", "Oluwaseun", "Tunde", "Zainab"]
LAST_NAMES = ["Adeyemi", "Okafor", "Bello", "Eze", "Ogunleye", "Abubakar", "Nwosu", "Balogun"]
CONTEXT = {
    "company_name": "Adeyemi Homes Ltd",
    "link": "https://app.estateapp.ng/dashboard",
    "week_start": "2026-11-16",
    "week_end": "2026-11-22",
    "sales": 14,
    "revenue": "187500000.00",
    "new_clients": 9,
    "commissions": "9375000.00",
    "api_calls": 48211,
}


# --- the data -----------------------------------------------------------------------------


def choices_of(n: int) -> dict[str, bool] | None:
    """The n-th person's saved choice for the weekly summary (None: never saved one)."""
    slot = n % 100
    if slot < 10:
        return {"email": False}
    if slot < 13:
        return {"in_app": False}
    if slot < 14:
        return {"email": False, "in_app": False}
    if slot < 20:
        return {}
    return None


def load() -> tuple[int, list[int], dict[str, int]]:
    """The company and its people; returns the company's id, the people's ids in order
    and how many rows of each kind were made."""
    company = Company.objects.create(
        name="Adeyemi Homes Ltd",
        slug="adeyemi-homes",
        billing_email="accounts@adeyemihomes.example.ng",
        subscription_tier="enterprise",
        subscription_status="active",
        max_plots=100000,
        max_agents=100000,
        max_api_calls_daily=1000000,
    )
    users = User.objects.bulk_create(
        (
            User(
                email=f"{FIRST_NAMES[n % 14].lower()}.{LAST_NAMES[n % 8].lower()}{n}@example.ng",
                first_name=FIRST_NAMES[n % 14],
                last_name=LAST_NAMES[n % 8],
                phone="" if n % 20 < 3 else f"+234803{n:07d}",
                password=UNUSABLE_PASSWORD_PREFIX,  # nobody logs in here
            )
            for n in range(RECIPIENTS)
        ),
        batch_size=2000,
    )
    user_ids = [user.pk for user in users]
    Membership.objects.bulk_create(
        (
            Membership(company=company, user_id=user_id, role="marketer", first_name="")
            for user_id in user_ids
        ),
        batch_size=2000,
    )
    preferences = []
    for n, user_id in enumerate(user_ids):
        choice = choices_of(n)
        if choice is not None:
            preferences.append(NotificationPreference(user_id=user_id, category=CATEGORY, **choice))
        if n % 3 == 0:
            other = OTHER_CATEGORIES[n % len(OTHER_CATEGORIES)]
            preferences.append(NotificationPreference(user_id=user_id, category=other, sms=False))
    NotificationPreference.objects.bulk_create(preferences, batch_size=2000)
    with connection.cursor() as cursor:
        for model in (User, Membership, NotificationPreference):
            cursor.execute(f'VACUUM ANALYZE "{model._meta.db_table}"')
    rows = {
        "users": len(user_ids),
        "memberships": len(user_ids),
        "preferences": len(preferences),
        "without a phone": sum(n % 20 < 3 for n in range(RECIPIENTS)),
    }
    return company.pk, user_ids, rows


# --- measuring ----------------------------------------------------------------------------

TABLE = re.compile(r'\b(?:FROM|INTO|UPDATE)\s+"(\w+)"', re.IGNORECASE)


def label(sql: str) -> str:
    table = TABLE.search(sql)
    return f"{sql.split(None, 1)[0].upper()} {table.group(1) if table else ''}".strip()


class DatabaseTime:
    """The time spent in queries (connection.execute_wrapper)."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


@contextmanager
def enqueue_timed() -> Iterator[list[float]]:
    """Times each ``send_deliveries.delay`` (building the message and handing it to the
    broker); the outbox calls them on commit."""
    spent: list[float] = []
    delay = tasks.send_deliveries.delay

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return delay(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - started)

    tasks.send_deliveries.delay = timed
    try:
        yield spent
    finally:
        del tasks.send_deliveries.delay


def queries_per_batch(labels: list[str]) -> list[int]:
    """A batch starts with its preference read; the last ends at the dispatch's counts."""
    starts = [n for n, name in enumerate(labels) if name.endswith("notificationpreference")]
    end = next(
        (n for n, name in enumerate(labels) if name == "UPDATE notifications_notificationdispatch"),
        len(labels),
    )
    bounds = [*starts, end]
    return [b - a for a, b in itertools.pairwise(bounds)]


def send_once(company_id: int, recipients: list[Recipient], run: str) -> dict[str, Any]:
    broker = redis.Redis.from_url(BROKER_URL)
    broker.flushdb()
    database = DatabaseTime()
    with (
        enqueue_timed() as enqueue,
        CaptureQueriesContext(connection) as captured,
        connection.execute_wrapper(database),
    ):
        cpu_started, started = time.process_time(), time.perf_counter()
        outcome = notification_send(
            category=CATEGORY,
            key=f"weekly_summary:{company_id}:bench-{run}-{uuid.uuid4().hex[:8]}",
            event="weekly_summary",
            company_id=company_id,
            recipients=recipients,
            context=CONTEXT,
        )
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
    labels = [label(query["sql"]) for query in captured.captured_queries]
    per_batch = queries_per_batch(labels)
    return {
        "recipients": len(recipients),
        "wall_seconds": wall,
        "cpu_seconds": cpu,
        "db_seconds": database.seconds,
        "enqueue_seconds": sum(enqueue),
        "fan_out_seconds": wall - sum(enqueue),
        "tasks_enqueued": len(enqueue),
        "tasks_in_broker": broker.llen("celery"),
        "queries": len(labels),
        "batches": len(per_batch),
        "queries_per_batch": per_batch,
        "queries_outside_batches": len(labels) - sum(per_batch),
        "queries_by_kind": dict(Counter(labels)),
        "notification_id": outcome.notification_id,
        "queued": outcome.queued,
        "in_app": outcome.in_app,
        "skipped": outcome.skipped,
    }


def expected_rows(count: int) -> dict[str, int]:
    choices = [choices_of(n) or {} for n in range(count)]
    in_app = sum(choice.get("in_app", True) for choice in choices)
    email = sum(choice.get("email", True) for choice in choices)
    return {"in_app": in_app, "queued": email}


def written_rows(notification_id: int) -> dict[str, int]:
    deliveries = Delivery.objects.filter(dispatch__notification_id=notification_id)
    by_kind = Counter(deliveries.values_list("channel", "status"))
    dispatch = NotificationDispatch.objects.get(notification_id=notification_id)
    return {
        "user_notifications": UserNotification.objects.filter(
            notification_id=notification_id
        ).count(),
        "in_app_deliveries_sent": by_kind[(Channel.IN_APP.value, DeliveryStatus.SENT.value)],
        "email_deliveries_queued": by_kind[(Channel.EMAIL.value, DeliveryStatus.QUEUED.value)],
        "other_deliveries": sum(by_kind.values())
        - by_kind[(Channel.IN_APP.value, DeliveryStatus.SENT.value)]
        - by_kind[(Channel.EMAIL.value, DeliveryStatus.QUEUED.value)],
        "dispatch_queued": dispatch.queued,
        "dispatch_sent": dispatch.sent,
    }


def timed(function: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    value = function()
    return value, time.perf_counter() - started


def profile(company_id: int, recipients: list[Recipient], out: str) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    send_once(company_id, recipients, "profile")
    profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(60)
    Path(out).write_text(text.getvalue())


def measure(company_id: int, user_ids: list[int]) -> dict[str, Any]:
    recipients, read_seconds = timed(lambda: audiences.users(user_ids))
    assert len(recipients) == RECIPIENTS, "every person made is an active account"
    send_once(company_id, recipients[: min(SIZES)], "warm-up")
    if os.environ.get("BENCH_PROFILE"):
        profile(company_id, recipients, os.environ["BENCH_PROFILE"])
        return {"profiled": True}
    by_size: dict[int, list[dict[str, Any]]] = {size: [] for size in SIZES}
    for run in range(RUNS):
        # Interleaved, so the machine's drift hits every size alike.
        for size in SIZES:
            by_size[size].append(send_once(company_id, recipients[:size], f"{size}-{run}"))
    checks = {}
    for size, runs in by_size.items():
        last = runs[-1]
        checks[size] = {
            "expected": expected_rows(size),
            "written": written_rows(last["notification_id"]),
            "tasks_expected": math.ceil(last["queued"] / outbox.TASK_CHUNK),
        }
    return {"profiled": False, "read_seconds": read_seconds, "runs": by_size, "checks": checks}


# --- the report ---------------------------------------------------------------------------


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    def stat(name: str) -> dict[str, float]:
        values = [run[name] for run in runs]
        return {"median": statistics.median(values), "min": min(values), "max": max(values)}

    per_batch = sorted({q for run in runs for q in run["queries_per_batch"]})
    return {
        "recipients": runs[0]["recipients"],
        "runs": len(runs),
        "wall_seconds": stat("wall_seconds"),
        "fan_out_seconds": stat("fan_out_seconds"),
        "enqueue_seconds": stat("enqueue_seconds"),
        "cpu_seconds": stat("cpu_seconds"),
        "db_seconds": stat("db_seconds"),
        "queries": sorted({run["queries"] for run in runs}),
        "batches": runs[0]["batches"],
        "queries_per_batch": per_batch,
        "queries_outside_batches": sorted({run["queries_outside_batches"] for run in runs}),
        "tasks_enqueued": runs[0]["tasks_enqueued"],
        "tasks_in_broker": runs[0]["tasks_in_broker"],
        "queued": runs[0]["queued"],
        "in_app": runs[0]["in_app"],
    }


def report(result: dict[str, Any]) -> None:
    print(
        f"\nOne weekly summary fanned out, batch size {result['batch_size']}, a send task per"
        f" {result['task_chunk']} queued deliveries, PostgreSQL {result['postgres']},"
        f" {RUNS} runs a size (median, min)"
    )
    print(
        "loaded: "
        + ", ".join(f"{count:,} {name}" for name, count in result["rows"].items())
        + f" in {result['load_seconds']:.1f} s; recipients' contacts read in"
        f" {result['read_seconds'] * 1000:.0f} ms"
    )
    header = ("recipients", "wall s", "fan-out s", "enqueue s", "CPU s", "in DB s", "queries")
    header += ("batches", "q/batch", "outside", "in-app", "queued", "tasks")
    print(
        "{:>10} {:>13} {:>13} {:>13} {:>6} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>5}".format(
            *header
        )
    )
    for row in result["summary"]:

        def pair(name: str, row: dict[str, Any] = row) -> str:
            return f"{row[name]['median']:.3f} ({row[name]['min']:.3f})"

        queries = "/".join(map(str, row["queries"]))
        per_batch = "/".join(map(str, row["queries_per_batch"]))
        outside = "/".join(map(str, row["queries_outside_batches"]))
        print(
            f"{row['recipients']:>10,} {pair('wall_seconds'):>13} {pair('fan_out_seconds'):>13}"
            f" {pair('enqueue_seconds'):>13} {row['cpu_seconds']['median']:>6.3f}"
            f" {row['db_seconds']['median']:>7.3f} {queries:>7} {row['batches']:>7}"
            f" {per_batch:>7} {outside:>7} {row['in_app']:>7,} {row['queued']:>7,}"
            f" {row['tasks_in_broker']:>5}"
        )
    for size, check in result["checks"].items():
        print(f"rows for {size:,}: expected {check['expected']}, written {check['written']}")
    largest = result["summary"][-1]
    constant = len({q for row in result["summary"] for q in row["queries_per_batch"]}) == 1
    met = largest["wall_seconds"]["median"] <= TARGET_SECONDS
    print(
        f"target {TARGET_SECONDS:.0f} s for {largest['recipients']:,}:"
        f" {'met' if met else 'NOT met'}"
        f" (median {largest['wall_seconds']['median']:.2f} s); queries per batch"
        f" {'constant' if constant else 'NOT constant'}"
    )


def main() -> None:
    database = connection.settings_dict
    if not database["ENGINE"].endswith("postgresql"):
        raise SystemExit(
            "bench/notification_fanout.py measures the fan-out on PostgreSQL; DATABASE_URL"
            f" points at {database['ENGINE'].rsplit('.', 1)[-1]}. Run it with, for example,"
            " DATABASE_URL=postgres://postgres@127.0.0.1:5432/estateapp (a throwaway database"
            " beside it is created and dropped)."
        )
    if settings.CELERY_TASK_ALWAYS_EAGER:
        raise SystemExit("the benchmark needs a broker (BENCH_REDIS_URL); tasks would run here")
    redis.Redis.from_url(BROKER_URL).ping()
    original_name = database["NAME"]
    database.setdefault("TEST", {})["NAME"] = f"test_{original_name}_notification_fanout"
    load_before = os.getloadavg()
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        (company_id, user_ids, rows), load_seconds = timed(load)
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            (postgres,) = cursor.fetchone()
        measured = measure(company_id, user_ids)
    finally:
        redis.Redis.from_url(BROKER_URL).flushdb()
        connection.close()
        if os.environ.get("BENCH_KEEPDB"):
            print(f"kept the database {test_name} (BENCH_KEEPDB); the next run replaces it")
        else:
            connection.creation.destroy_test_db(original_name, verbosity=0)
    if measured["profiled"]:
        print(f"profile written to {os.environ['BENCH_PROFILE']}; no results written")
        return
    result = {
        "measured_at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average_before": load_before,
            "load_average_after": os.getloadavg(),
        },
        "postgres": postgres,
        "category": CATEGORY.value,
        "batch_size": outbox.BATCH_SIZE,
        "task_chunk": outbox.TASK_CHUNK,
        "target_seconds": TARGET_SECONDS,
        "rows": rows,
        "load_seconds": load_seconds,
        "read_seconds": measured["read_seconds"],
        "summary": [summary(runs) for runs in measured["runs"].values()],
        "checks": measured["checks"],
        "runs": measured["runs"],
    }
    report(result)
    out = ROOT / "bench" / "results" / "notification_fanout.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
