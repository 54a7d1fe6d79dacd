"""Benchmark: the monthly run for 10,000 companies on PostgreSQL: wall time and queries.

Run with `make bench` (or `python bench/monthly_run.py`), DATABASE_URL pointing at a
PostgreSQL server; on SQLite it refuses. It makes a throwaway database beside the one
DATABASE_URL names (`test_<name>_monthly_run`, through Django's test-database machinery:
created and migrated, dropped at the end) and loads it with COPY and server-side
INSERT ... SELECT, not services one by one. For the month that just ended (BENCH_PERIOD,
YYYY-MM, picks another), BENCH_COMPANIES companies (10,000):

- tiers drawn 80 % Starter, 17 % Professional, 3 % Enterprise (about 75/21/4 at the
  month's end, after the moves below);
- a subscription history for each (a Starter trial, then paid; some moved tier before
  the month): 5 % pay by card (a Stripe subscription: skipped by the run), 2 % joined
  after the month (not looked at), 3 % joined late in the month and are still on trial
  (looked at, not billable), 3 % ended their trial inside it, 6 % moved up a tier inside
  it and 1 % down, 1.5 % went past due and were suspended inside it, 0.5 % were
  reactivated inside it, 0.5 % had cancelled before it, 2 % changed tier after it;
- estates (1 to 8 a company) and plots, lognormal a company: median 40 on Starter (some
  beyond the 100 included), 250 on Professional (a few beyond its 1,000), 900 on
  Enterprise; up to a tenth added during the month and some after it (not counted):
  about 1.57 million plots. They are made by the server (generate_series),
  with the plain indexes built after the rows (BENCH_PLOT_SCALE scales them);
- a usage record for every company and day of the month and of the month before (the
  daily cap of the plan holds): a quarter of Starter companies beyond the 10,000 calls a
  month included, and some Professional and Enterprise ones beyond theirs;
- credits: 7 % of companies have one with something left (some worth more than a
  month), 1.5 % a second, 5 % one used up.

Then, each in a fresh process (as `manage.py generate_monthly_invoices` would be), it
times `monthly_invoices_generate(period=...)` at the default batch size, counting the
queries overall and between batches (the run's on_batch callback), with the time spent
waiting on the database; and runs it a second time, which must create nothing. The
process runs the development settings with a broker (Redis, BENCH_REDIS_URL, db 14,
emptied before and after), as a deployment does: the invoices' notifications are written
in the run (the outbox, a batch at a time) and their sending is enqueued, not done. Memory is
the process's peak resident set (getrusage) next to what it held before the run.
BENCH_PROFILE=<file> profiles the first run with pyinstrument (`pip install pyinstrument`)
and writes the profile there instead of the results (BENCH_PROFILE_ALL=1 keeps the
library frames). BENCH_KEEPDB=1 keeps the database afterwards, to look into.

Prints a table and writes bench/results/monthly_run.json. Not a test: numbers, no asserts.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import platform
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BROKER_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
# The development settings with a broker, as a deployment runs them: what the run's events
# hand to workers (the notifications' emails, with their PDFs) is enqueued, not done here.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ["CELERY_BROKER_URL"] = BROKER_URL
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

import redis  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from apps.billing.models import Credit  # noqa: E402
from apps.billing.periods import Period  # noqa: E402
from apps.billing.services import monthly_invoices_generate  # noqa: E402
from apps.billing.services.monthly_run import DEFAULT_BATCH_SIZE, RunSummary  # noqa: E402
from apps.companies.models import Company, Plan, SubscriptionChange  # noqa: E402
from apps.estates.models import Estate, Plot  # noqa: E402
from apps.usage.models import UsageRecord  # noqa: E402

COMPANIES = int(os.environ.get("BENCH_COMPANIES", "10000"))
# Scales every company's plots (a quicker load, or how the run grows with the plots held).
PLOT_SCALE = float(os.environ.get("BENCH_PLOT_SCALE", "1"))
TARGET_SECONDS = 10.0
SEED = 20261101
TRIAL = timedelta(days=14)

STARTER, PROFESSIONAL, ENTERPRISE = "starter", "professional", "enterprise"
TRIALING, ACTIVE, PAST_DUE = "trialing", "active", "past_due"
SUSPENDED, CANCELLED = "suspended", "cancelled"
# (median, sigma, cap) of the plots a company holds, by tier.
PLOTS = {STARTER: (40, 0.75, 400), PROFESSIONAL: (250, 0.8, 2500), ENTERPRISE: (900, 0.7, 8000)}
# Daily API calls: (low, high) of a company's mean day; heavy Starter users go beyond
# the 10,000 a month included.
CALLS = {STARTER: (20, 300), PROFESSIONAL: (600, 6000), ENTERPRISE: (6000, 80000)}
HEAVY_STARTER = (330, 950)
# Stories and how often they happen (the rest are steady payers).
STORIES = [
    ("card", 0.05),
    ("joined_after", 0.02),
    ("still_on_trial", 0.03),
    ("trial_ended", 0.03),
    ("moved_up", 0.06),
    ("moved_down", 0.01),
    ("suspended", 0.015),
    ("reactivated", 0.005),
    ("cancelled", 0.005),
    ("changed_after", 0.02),
]
NOT_BILLABLE = {"still_on_trial", "cancelled"}
NOT_LOOKED_AT = {"card", "joined_after"}
FIRST_NAMES = ["Adeyemi", "Okafor", "Bello", "Eze", "Ogunleye", "Abubakar", "Nwosu", "Balogun"]
FIRST_NAMES += ["Ibrahim", "Okonkwo", "Adebayo", "Danjuma", "Olawale", "Chukwu", "Yusuf", "Ojo"]
TRADES = ["Homes", "Realty", "Estates", "Properties", "Land Ventures", "Gardens", "Developers"]
PLACES = [("Lekki", "Lagos", "Eti-Osa"), ("Ibeju-Lekki", "Lagos", "Ibeju-Lekki")]
PLACES += [("Gwarinpa", "FCT", "AMAC"), ("Lugbe", "FCT", "AMAC"), ("Mowe", "Ogun", "Obafemi Owode")]
PLACES += [("Enugu GRA", "Enugu", "Enugu North"), ("Trans-Amadi", "Rivers", "Obio-Akpor")]
CREDIT_REASONS = ["Goodwill: service outage", "Overpayment of invoice", "Referral reward"]


def aware(day: date, hour: float = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock.min)) + timedelta(hours=hour)


@dataclass
class CompanySpec:
    pk: int
    story: str
    tier: str  # now
    status: str  # now
    created_at: datetime
    history: list[tuple[datetime, str, str]] = field(default_factory=list)
    trial_ends_at: datetime | None = None
    suspension_reason: str = ""
    plots: tuple[int, int, int] = (0, 0, 0)  # added before, during and after the period
    daily_calls: int = 0
    usage_to: date | None = None  # no calls after (suspended, cancelled)
    usage_from: date | None = None


def pick_tier(rng: random.Random) -> str:
    r = rng.random()
    return STARTER if r < 0.80 else PROFESSIONAL if r < 0.97 else ENTERPRISE


def paying_since(rng: random.Random, spec: CompanySpec, tier: str, before: datetime) -> None:
    """A Starter trial from the company's creation, then ``tier`` (perhaps after a while
    on Starter), everything before ``before``."""
    spec.history.append((spec.created_at, STARTER, TRIALING))
    paid = spec.created_at + TRIAL
    if tier != STARTER and rng.random() < 0.4:
        spec.history.append((paid, STARTER, ACTIVE))
        span = max((before - paid).days - 2, 1)
        paid += timedelta(days=rng.randint(1, span), hours=rng.randint(8, 18))
    spec.history.append((paid, tier, ACTIVE))


def company_spec(rng: random.Random, pk: int, period: Period, now: datetime) -> CompanySpec:
    r, story = rng.random(), "steady"
    for name, share in STORIES:
        if r < share:
            story = name
            break
        r -= share
    tier = pick_tier(rng)
    start, ends_at = aware(period.start), period.ends_at

    def during(first: int = 2, last: int = period.days) -> datetime:
        return aware(
            period.start + timedelta(days=rng.randint(first, last) - 1), rng.randint(8, 18)
        )

    old = start - timedelta(days=rng.randint(100, 900), hours=rng.randint(0, 23))
    spec = CompanySpec(pk=pk, story=story, tier=tier, status=ACTIVE, created_at=old)
    if story == "joined_after":
        spec.created_at = ends_at + (now - ends_at) * rng.random()
        spec.tier, spec.status, spec.trial_ends_at = STARTER, TRIALING, spec.created_at + TRIAL
        spec.history.append((spec.created_at, STARTER, TRIALING))
    elif story in ("still_on_trial", "trial_ended"):
        first, last = (
            (period.days - 12, period.days) if story == "still_on_trial" else (1, period.days - 15)
        )
        spec.created_at = during(first, last)
        spec.trial_ends_at = spec.created_at + TRIAL
        spec.history.append((spec.created_at, STARTER, TRIALING))
        if spec.trial_ends_at < now:
            spec.history.append((spec.trial_ends_at, tier, ACTIVE))
        else:
            spec.tier, spec.status = STARTER, TRIALING
    elif story in ("moved_up", "moved_down"):
        low, high = (STARTER, PROFESSIONAL) if rng.random() < 0.75 else (PROFESSIONAL, ENTERPRISE)
        before, spec.tier = (low, high) if story == "moved_up" else (high, low)
        paying_since(rng, spec, before, start)
        spec.history.append((during(), spec.tier, ACTIVE))
    elif story == "suspended":
        paying_since(rng, spec, tier, start)
        spec.history.append((during(6, 10), tier, PAST_DUE))
        suspended_at = during(20, 24)
        spec.history.append((suspended_at, tier, SUSPENDED))
        spec.status, spec.suspension_reason = SUSPENDED, "unpaid_invoices"
        spec.usage_to = timezone.localdate(suspended_at)
    elif story == "reactivated":
        paying_since(rng, spec, tier, start - timedelta(days=60))
        spec.history.append((start - timedelta(days=rng.randint(10, 40)), tier, SUSPENDED))
        reactivated_at = during()
        spec.history.append((reactivated_at, tier, ACTIVE))
        spec.usage_from = timezone.localdate(reactivated_at)
    elif story == "cancelled":
        paying_since(rng, spec, tier, start - timedelta(days=60))
        cancelled_at = start - timedelta(days=rng.randint(5, 50))
        spec.history.append((cancelled_at, tier, CANCELLED))
        spec.status, spec.usage_to = CANCELLED, timezone.localdate(cancelled_at)
    else:
        paying_since(rng, spec, tier, start)
        if story == "changed_after":
            spec.tier = PROFESSIONAL if tier == STARTER else STARTER
            spec.history.append((ends_at + (now - ends_at) * rng.random(), spec.tier, ACTIVE))

    median, sigma, cap = PLOTS[spec.tier]
    held = min(cap, int(rng.lognormvariate(math.log(median), sigma) * PLOT_SCALE))
    if story in ("joined_after", "still_on_trial", "trial_ended"):
        held = rng.randint(0, 60)
    if story == "joined_after":
        spec.plots = (0, 0, held)
    elif spec.created_at >= start:
        spec.plots = (0, held, int(held * rng.random() * 0.1))
    else:
        added = int(held * rng.random() * 0.1)
        spec.plots = (held - added, added, int(held * rng.random() * 0.05))
    low, high = HEAVY_STARTER if spec.tier == STARTER and rng.random() < 0.25 else CALLS[spec.tier]
    spec.daily_calls = rng.randint(low, high)
    return spec


def company_specs(period: Period, now: datetime) -> list[CompanySpec]:
    rng = random.Random(SEED)
    return [company_spec(rng, pk, period, now) for pk in range(1, COMPANIES + 1)]


def copy_rows(model: Any, fields: list[str], rows: Iterable[tuple]) -> int:
    """COPY ``rows`` into the model's table; ``fields`` are model field names."""
    columns = ", ".join(f'"{model._meta.get_field(name).column}"' for name in fields)
    count = 0
    table = model._meta.db_table
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy,
    ):
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


LOADED = (Company, SubscriptionChange, Estate, Plot, UsageRecord, Credit)


@contextmanager
def bulk_loading() -> Iterator[None]:
    """What pg_restore does: the loaded tables' plain indexes are dropped and built again
    afterwards (sorting once beats updating them row by row), and foreign keys are not
    checked row by row (the loader makes consistent rows)."""
    tables = [model._meta.db_table for model in LOADED]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)"
            " AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            [tables],
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET session_replication_role = replica")
        try:
            yield
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")
            for _, definition in indexes:
                cursor.execute(definition)


def load(period: Period, now: datetime) -> dict[str, Any]:
    """Fill the empty, migrated database; returns what was loaded and how long it took."""
    started = time.perf_counter()
    rng = random.Random(SEED + 1)
    plans = {plan.code: plan for plan in Plan.objects.all()}
    specs = company_specs(period, now)
    rows: dict[str, int] = {}

    def company_row(spec: CompanySpec) -> tuple:
        plan = plans[spec.tier]
        family, trade = rng.choice(FIRST_NAMES), rng.choice(TRADES)
        card = spec.story == "card"
        return (
            spec.pk,
            spec.created_at,
            now,
            f"{family} {trade} {spec.pk:05d} Ltd",
            f"{family.lower()}-{trade.lower().replace(' ', '-')}-{spec.pk}",
            f"accounts@{family.lower()}{spec.pk}.example.ng",
            f"+23480{spec.pk:08d}",
            f"Plot {spec.pk % 200 + 1}, {rng.choice(PLACES)[0]}",
            f"cus_bench_{spec.pk}" if card else "",
            f"sub_bench_{spec.pk}" if card else "",
            spec.tier,
            spec.status,
            spec.trial_ends_at,
            spec.suspension_reason,
            plan.included_plots,
            plan.included_agents,
            plan.daily_api_calls,
            False,
            "",
        )

    company_fields = ["id", "created_at", "updated_at", "name", "slug", "billing_email"]
    company_fields += ["phone", "address", "stripe_customer_id", "stripe_subscription_id"]
    company_fields += ["subscription_tier", "subscription_status", "trial_ends_at"]
    company_fields += ["suspension_reason", "max_plots", "max_agents", "max_api_calls_daily"]
    # NOT NULL without a database default: COPY would leave them null.
    company_fields += ["cancel_at_period_end", "cancellation_reason"]
    rows["companies"] = copy_rows(Company, company_fields, map(company_row, specs))
    rows["subscription changes"] = copy_rows(
        SubscriptionChange,
        ["company_id", "changed_at", "tier", "status"],
        ((spec.pk, *change) for spec in specs for change in spec.history),
    )

    estates, plot_runs = [], []
    for spec in specs:
        total = sum(spec.plots)
        count = max(1, min(8, math.ceil(total / 150)))
        first_id = len(estates) + 1
        for n in range(count):
            location, state, lga = rng.choice(PLACES)
            estates.append(
                (
                    first_id + n,
                    spec.created_at,
                    now,
                    spec.pk,
                    f"{location} Scheme {n + 1}",
                    location,
                    state,
                    lga,
                    "",
                    True,
                )
            )
        spans = (
            (spec.created_at + timedelta(days=1), aware(period.start) - timedelta(hours=1)),
            (max(spec.created_at, aware(period.start)), period.ends_at - timedelta(hours=1)),
            (max(spec.created_at, period.ends_at) + timedelta(hours=1), now - timedelta(hours=1)),
        )
        for segment, (plots, (low, high)) in enumerate(zip(spec.plots, spans, strict=True)):
            for n in range(count):
                share = plots // count + (n < plots % count)
                if share:
                    plot_runs.append((first_id + n, spec.pk, "ABC"[segment], share, low, high))
    estate_fields = ["id", "created_at", "updated_at", "company_id", "name", "location"]
    estate_fields += ["state", "lga", "description", "is_active"]
    rows["estates"] = copy_rows(Estate, estate_fields, estates)

    credit_rows = []
    for spec in specs:
        for chance, used_up in ((0.07, False), (0.015, False), (0.05, True)):
            if rng.random() < chance:
                amount = Decimal(rng.choice([5000, 10000, 15000, 25000, 50000, 100000]))
                left = Decimal(0) if used_up else amount
                if not used_up and rng.random() < 0.3:
                    left = (amount * Decimal(rng.randint(10, 90)) / 100).quantize(Decimal("0.01"))
                reason = rng.choice(CREDIT_REASONS)
                created = spec.created_at + (aware(period.start) - spec.created_at) * rng.random()
                credit_rows.append((created, created, spec.pk, amount, left, reason))
    rows["credits"] = copy_rows(
        Credit,
        ["created_at", "updated_at", "company_id", "amount", "remaining", "reason"],
        credit_rows,
    )

    steps = {"companies, history, estates, credits": time.perf_counter() - started}
    step_started = time.perf_counter()
    usage_start = Period.previous_month(period.start).start
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_plot_run (estate_id bigint, company_id bigint,"
            " segment text, plots int, low timestamptz, high timestamptz)"
        )
        with cursor.cursor.copy("COPY bench_plot_run FROM STDIN") as copy:
            for run in plot_runs:
                copy.write_row(run)
        # In the order they were made, as in production: one company's plots (and below,
        # its usage records) are spread over the table, as the run's queries meet them.
        cursor.execute(
            f"INSERT INTO {Plot._meta.db_table} (created_at, updated_at, company_id, estate_id,"  # noqa: S608
            " plot_number, size_sqm, price, status)"
            " SELECT r.low + (r.high - r.low) * (g::float8 / (r.plots + 1)),"
            " r.low + (r.high - r.low) * (g::float8 / (r.plots + 1)), r.company_id, r.estate_id,"
            " r.segment || '-' || lpad(g::text, 4, '0'), 300 + (g % 7) * 50,"
            " 2500000 + (g % 13) * 250000,"
            " CASE WHEN g % 3 = 0 THEN 'sold' WHEN g % 11 = 0 THEN 'reserved'"
            " ELSE 'available' END"
            " FROM bench_plot_run r, generate_series(1, r.plots) g ORDER BY 1"
        )
        rows["plots"] = cursor.rowcount
        steps["plots"] = time.perf_counter() - step_started
        step_started = time.perf_counter()
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_usage (company_id bigint, first_day date,"
            " last_day date, mean int, cap int)"
        )
        with cursor.cursor.copy("COPY bench_usage FROM STDIN") as copy:
            for spec in specs:
                first = max(timezone.localdate(spec.created_at), usage_start)
                first = max(first, spec.usage_from or first)
                last = min(period.end, spec.usage_to or period.end)
                if spec.story != "joined_after" and first <= last:
                    cap = plans[spec.tier].daily_api_calls
                    copy.write_row((spec.pk, first, last, spec.daily_calls, cap))
        # A day's count swings between half and one and a half times the company's mean.
        cursor.execute(
            f"INSERT INTO {UsageRecord._meta.db_table} (created_at, updated_at, company_id, day,"  # noqa: S608
            " api_calls)"
            " SELECT d + interval '1 day 10 minutes', d + interval '1 day 10 minutes',"
            " u.company_id, d::date, least(u.cap, u.mean * (50 + (u.company_id * 7919"
            " + (d::date - date '2000-01-01') * 104729) % 101) / 100)"
            " FROM bench_usage u, generate_series(u.first_day, u.last_day, interval '1 day') d"
            " ORDER BY d, u.company_id"
        )
        rows["usage records"] = cursor.rowcount
        steps["usage records"] = time.perf_counter() - step_started
        cursor.execute("DROP TABLE bench_plot_run, bench_usage")
        for sql in connection.ops.sequence_reset_sql(no_style(), [Company, Estate]):
            cursor.execute(sql)
    stories = Counter(spec.story for spec in specs)
    looked_at = [spec for spec in specs if spec.story not in NOT_LOOKED_AT]
    return {
        "seconds_by_step": steps,
        "rows": rows,
        "tiers": Counter(spec.tier for spec in specs),
        "stories": dict(sorted(stories.items())),
        "expected": {
            "looked_at": len(looked_at),
            "invoiced": sum(spec.story not in NOT_BILLABLE for spec in looked_at),
        },
    }


def load_database(period: Period, now: datetime) -> dict[str, Any]:
    started = time.perf_counter()
    with bulk_loading():
        dataset = load(period, now)
        rows_loaded = time.perf_counter()
    indexed = time.perf_counter()
    with connection.cursor() as cursor:
        # Production tables have statistics and visibility maps (autovacuum); fresh ones not.
        for model in LOADED:
            cursor.execute(f'VACUUM ANALYZE "{model._meta.db_table}"')
    dataset["seconds_by_step"]["indexes built"] = indexed - rows_loaded
    dataset["seconds_by_step"]["VACUUM ANALYZE"] = time.perf_counter() - indexed
    dataset["seconds"] = time.perf_counter() - started
    return dataset


# --- the measured run, in a process of its own ------------------------------------------


class QueryLog:
    """Counts the queries (labelled by statement and first table) and the time spent in
    them, for connection.execute_wrapper."""

    TABLE = re.compile(r'\b(?:FROM|INTO|UPDATE)\s+"(\w+)"', re.IGNORECASE)

    def __init__(self) -> None:
        self.labels: list[str] = []
        self.seconds = 0.0
        self.seconds_by_label: Counter[str] = Counter()

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            self.seconds += elapsed
            table = self.TABLE.search(sql)
            verb = sql.split(None, 1)[0].upper()
            if "FOR UPDATE" in sql:
                verb += " FOR UPDATE"
            label = f"{verb} {table.group(1) if table else ''}".strip()
            self.labels.append(label)
            self.seconds_by_label[label] += elapsed


def rss_now_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def invoices_digest(period: Period) -> dict[str, Any]:
    """What the run wrote, as counts and a checksum of every amount and line, to compare
    one version of the billing code with another on the same data."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), coalesce(sum(total), 0), max(number), md5(string_agg(concat_ws('|',"
            " company_id, tier, subtotal, overage, credits_applied, tax, total), ','"
            " ORDER BY company_id)) FROM billing_invoice WHERE period_start = %s",
            [period.start],
        )
        count, total, last_number, invoices_md5 = cursor.fetchone()
        cursor.execute(
            "SELECT md5(string_agg(concat_ws('|', i.company_id, l.position, l.kind,"
            " l.description, l.quantity, l.unit_price, l.amount), ','"
            " ORDER BY i.company_id, l.position)) FROM billing_invoiceline l"
            " JOIN billing_invoice i ON i.id = l.invoice_id WHERE i.period_start = %s",
            [period.start],
        )
        (lines_md5,) = cursor.fetchone()
        cursor.execute(
            "SELECT kind, count(*) FROM billing_invoiceline l JOIN billing_invoice i"
            " ON i.id = l.invoice_id WHERE i.period_start = %s GROUP BY kind ORDER BY kind",
            [period.start],
        )
        lines = dict(cursor.fetchall())
        cursor.execute(
            "SELECT count(*) FROM (SELECT invoice_id FROM billing_invoiceline"
            " WHERE kind = 'subscription' AND description LIKE '%% of %% days'"
            " GROUP BY invoice_id) prorated"
        )
        (prorated,) = cursor.fetchone()
    return {
        "invoices": count,
        "total_with_vat": str(total),
        "last_number": last_number,
        "lines_by_kind": lines,
        "prorated_invoices": prorated,
        "invoices_md5": invoices_md5,
        "lines_md5": lines_md5,
    }


def measure(period: Period, which: str) -> dict[str, Any]:
    log = QueryLog()
    marks: list[tuple[float, int, float]] = []

    def on_batch(summary: RunSummary) -> None:
        marks.append((time.perf_counter(), len(log.labels), log.seconds))

    profiler = None
    if os.environ.get("BENCH_PROFILE") and which == "first":
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.001)
    broker = redis.Redis.from_url(BROKER_URL)
    broker.flushdb()
    rss_before = rss_now_mb()
    cpu_started, started = time.process_time(), time.perf_counter()
    if profiler:
        profiler.start()
    with connection.execute_wrapper(log):
        summary = monthly_invoices_generate(period=period, on_batch=on_batch)
    wall = time.perf_counter() - started
    tasks_enqueued = broker.llen("celery")
    broker.flushdb()
    cpu = time.process_time() - cpu_started
    if profiler:
        profiler.stop()
        Path(os.environ["BENCH_PROFILE"]).write_text(
            profiler.output_text(show_all=bool(os.environ.get("BENCH_PROFILE_ALL")))
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    # The run's own queries before its first batch (the plan catalogue) and after its last
    # (the empty batch that ends it) are not a batch's.
    first_batch = next(
        (n for n, label in enumerate(log.labels) if label == "SELECT companies_company"),
        len(log.labels),
    )
    bounds = [(started, first_batch, 0.0), *marks]
    per_batch = [b[1] - a[1] for a, b in itertools.pairwise(bounds)]
    batch_seconds = [b[0] - a[0] for a, b in itertools.pairwise(bounds)]
    batch_db_seconds = [b[2] - a[2] for a, b in itertools.pairwise(bounds)]
    typical = log.labels[bounds[1][1] : bounds[2][1]] if len(bounds) > 2 else []
    return {
        "run": which,
        "wall_seconds": wall,
        "cpu_seconds": cpu,
        "db_seconds": log.seconds,
        "summary": {
            "companies_seen": summary.companies_seen,
            "invoiced": summary.invoiced,
            "already_invoiced": summary.already_invoiced,
            "not_billable": summary.not_billable,
            "batches": summary.batches,
            "total_invoiced": str(summary.total_invoiced),
        },
        "queries": len(log.labels),
        "queries_outside_batches": len(log.labels) - sum(per_batch),
        "queries_per_batch": per_batch,
        "batch_seconds": batch_seconds,
        "batch_db_seconds": batch_db_seconds,
        "queries_of_a_batch": dict(Counter(typical)),
        "db_seconds_by_query": dict(log.seconds_by_label.most_common()),
        "rss_before_mb": rss_before,
        "peak_rss_mb": peak,
        "tasks_enqueued": tasks_enqueued,
        "profiled": profiler is not None,
        "digest": invoices_digest(period),
    }


def child_main(which: str, out: str) -> None:
    period = Period.month(*map(int, os.environ["BENCH_PERIOD"].split("-")))
    Path(out).write_text(json.dumps(measure(period, which)))


# --- the parent: database, data, the two runs, the report -------------------------------


def measured_in_child(database_url: str, period: Period, which: str) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "BENCH_PERIOD": f"{period.start:%Y-%m}",
        }
        subprocess.run(  # noqa: S603 - this script, with our own arguments
            [sys.executable, __file__, "--measure", which, out.name], env=env, check=True
        )
        return json.loads(Path(out.name).read_text())


def bench_period() -> Period:
    value = os.environ.get("BENCH_PERIOD")
    if value:
        return Period.month(int(value[:4]), int(value[5:7]))
    return Period.previous_month(timezone.localdate())


def spread(values: list[float]) -> str:
    if not values:
        return "-"
    return f"{statistics.median(values):.3f} ({min(values):.3f}-{max(values):.3f})"


def report(result: dict[str, Any]) -> None:
    data = result["dataset"]
    print(
        f"\nMonthly run for {result['period']}, {result['companies']:,} companies, batch size"
        f" {result['batch_size']}, PostgreSQL {result['postgres']}"
    )
    print("loaded: " + ", ".join(f"{count:,} {name}" for name, count in data["rows"].items()))
    steps = ", ".join(f"{name} {seconds:.1f}" for name, seconds in data["seconds_by_step"].items())
    print(
        f"in {data['seconds']:.1f} s ({steps}); database created and migrated in"
        f" {result['migrate_seconds']:.1f} s"
    )
    header = ("run", "wall s", "created", "queries", "batches", "q/batch")
    header += ("s/batch median (min-max)", "CPU s", "in DB s", "peak MB")
    print("{:<7} {:>7} {:>8} {:>8} {:>8} {:>8}  {:<26} {:>6} {:>8} {:>8}".format(*header))
    for run in result["runs"]:
        per_batch = run["queries_per_batch"]
        qpb = f"{min(per_batch)}-{max(per_batch)}" if per_batch else "-"
        print(
            f"{run['run']:<7} {run['wall_seconds']:>7.2f} {run['summary']['invoiced']:>8,}"
            f" {run['queries']:>8} {run['summary']['batches']:>8} {qpb:>8}"
            f"  {spread(run['batch_seconds']):<26} {run['cpu_seconds']:>6.2f}"
            f" {run['db_seconds']:>8.2f}"
            f" {run['peak_rss_mb']:>8.0f}"
        )
    first = result["runs"][0]
    print(
        f"\nfirst run: {first['summary']['companies_seen']:,} looked at,"
        f" {first['summary']['not_billable']} not billable, expected"
        f" {data['expected']['invoiced']:,} invoices; lines {first['digest']['lines_by_kind']},"
        f" {first['digest']['prorated_invoices']} prorated"
    )
    print(f"a batch's queries: {first['queries_of_a_batch']}")
    print(f"send tasks enqueued for workers: {first['tasks_enqueued']:,}")
    print(
        f"memory: {first['rss_before_mb']:.0f} MB before the run, peak {first['peak_rss_mb']:.0f}"
    )
    verdict = "met" if first["wall_seconds"] <= TARGET_SECONDS else "NOT met"
    constant = len(set(first["queries_per_batch"])) == 1
    print(
        f"target {TARGET_SECONDS:.0f} s: {verdict}; queries per batch"
        f" {'constant' if constant else 'NOT constant'}"
    )


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--measure":
        child_main(sys.argv[2], sys.argv[3])
        return
    database = connection.settings_dict
    if not database["ENGINE"].endswith("postgresql"):
        raise SystemExit(
            "bench/monthly_run.py measures the monthly run on PostgreSQL; DATABASE_URL points"
            f" at {database['ENGINE'].rsplit('.', 1)[-1]}. Run it with, for example,"
            " DATABASE_URL=postgres://postgres@127.0.0.1:5432/estateapp (a throwaway database"
            " beside it is created and dropped)."
        )
    period, now = bench_period(), timezone.now()
    original_name = database["NAME"]
    database.setdefault("TEST", {})["NAME"] = f"test_{original_name}_monthly_run"
    load_before = os.getloadavg()
    started = time.perf_counter()
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        migrate_seconds = time.perf_counter() - started
        dataset = load_database(period, now)
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            (postgres,) = cursor.fetchone()
        connection.close()
        url = urlsplit(os.environ["DATABASE_URL"])
        test_url = urlunsplit(url._replace(path=f"/{test_name}"))
        runs = [measured_in_child(test_url, period, which) for which in ("first", "second")]
    finally:
        connection.close()
        if os.environ.get("BENCH_KEEPDB"):
            print(f"kept the database {test_name} (BENCH_KEEPDB); the next run replaces it")
        else:
            connection.creation.destroy_test_db(original_name, verbosity=0)
    if runs[0]["profiled"]:
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
        "period": f"{period.start:%Y-%m}",
        "companies": COMPANIES,
        "plot_scale": PLOT_SCALE,
        "batch_size": DEFAULT_BATCH_SIZE,
        "target_seconds": TARGET_SECONDS,
        "migrate_seconds": migrate_seconds,
        "dataset": dataset,
        "runs": runs,
    }
    report(result)
    out = ROOT / "bench" / "results" / "monthly_run.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
