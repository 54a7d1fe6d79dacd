"""Benchmark: what per-caller rate limiting and metering cost, and whether they are exact.

Run with `make bench` (needs Redis; REDIS_URL defaults to redis://127.0.0.1:6379/9).
One run measures, against real Redis:

1. Requests per second and median latency of a tenant-scoped list endpoint
   (GET /api/plots/, 25 plots per page) through the whole Django + DRF stack, signed in
   as a marketer (the most windows: four), with
   - "off": no throttle, no metering;
   - "ours": TenantRateThrottle (the caller's hour, the caller's share of the company's
     day, the marketers' and clients' share of it, the company's day and metering, in
     one Lua call);
   - "drf-stock": DRF's UserRateThrottle on the same Redis cache.
   Rounds alternate between the three so drift hits them alike.
2. One allow_request alone, outside the stack: ours for an admin (three windows), for a
   marketer (four) and for a user with no company (one), and DRF's stock throttle.
3. Admission accuracy under concurrency: 64 threads firing 500 requests from one caller
   at a limit of 100 per hour, for our counter and for DRF's stock throttle; 500
   requests from 10 admins and keys of one company at a daily cap of 100 (a share of 50
   each); and 500 requests from 10 marketers and clients and one admin at a daily cap of
   100 (10 each and 50 together for the marketers and clients, 50 for the admin).

Prints a table and writes bench/results/rate_limit.json. Not a test: numbers, no asserts.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/estateapp-bench.sqlite3")

import django  # noqa: E402

django.setup()

from decimal import Decimal  # noqa: E402

import redis  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from rest_framework.throttling import UserRateThrottle  # noqa: E402

from apps.accounts.models import User  # noqa: E402
from apps.accounts.services import issue_token_pair, user_create  # noqa: E402
from apps.companies.models import Company, Membership  # noqa: E402
from apps.core.roles import Role  # noqa: E402
from apps.estates.services import estate_create, plot_create  # noqa: E402
from apps.estates.views import PlotViewSet  # noqa: E402
from apps.usage.counters import (  # noqa: E402
    RedisCounterStore,
    caller_daily_share,
    company_windows,
    counter_store,
    members_daily_share,
)
from apps.usage.throttling import TenantRateThrottle  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "6"))
REQUESTS_PER_ROUND = int(os.environ.get("BENCH_REQUESTS", "300"))
WARMUP = 100
THREADS = 64
FIRED = 500
LIMIT = 100
CALLERS = 10
BENCH_PASSWORD = "Bench-Password-2026"  # noqa: S105 - a throwaway user in a throwaway database


class BenchUserThrottle(UserRateThrottle):
    rate = "100000000/hour"


CONFIGS = {
    "off": [],
    "ours": [TenantRateThrottle],
    "drf-stock": [BenchUserThrottle],
}


def prepare() -> tuple[Client, Client]:
    """A company with 40 plots, a signed-in admin and a signed-in marketer; reused if an
    earlier run made them."""
    call_command("migrate", verbosity=0)
    company, created = Company.objects.get_or_create(
        slug="bench",
        defaults={
            "name": "Bench Realty",
            "billing_email": "bench@example.ng",
            "subscription_tier": "enterprise",
            "subscription_status": "active",
            "max_plots": 10**6,
            "max_agents": 10,
            "max_api_calls_daily": 10**9,
            "api_hourly_limit_override": 10**9,
        },
    )
    if created:
        user_id = user_create(email="bench@example.ng", password=BENCH_PASSWORD)
        Membership.objects.create(company=company, user_id=user_id, role=Role.COMPANY_ADMIN)
        estate = estate_create(
            company_id=company.pk, name="Bench Estate", location="Lekki", state="Lagos"
        )
        for number in range(40):
            plot_create(
                company_id=company.pk,
                estate_id=estate.pk,
                plot_number=f"B-{number:03d}",
                size_sqm=Decimal("450.00"),
                price=Decimal("5000000.00") + number,
            )
    if not User.objects.filter(email="bench-marketer@example.ng").exists():
        marketer_id = user_create(email="bench-marketer@example.ng", password=BENCH_PASSWORD)
        Membership.objects.create(company=company, user_id=marketer_id, role=Role.MARKETER)
    marketer = Membership.objects.get(company=company, role=Role.MARKETER).user
    admin = Membership.objects.get(company=company, role=Role.COMPANY_ADMIN).user
    return tuple(
        Client(HTTP_AUTHORIZATION=f"Bearer {issue_token_pair(user).access}")
        for user in (admin, marketer)
    )


def timed_requests(client: Client, count: int) -> list[float]:
    latencies = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get("/api/plots/")
        latencies.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"unexpected {response.status_code}: {response.content[:200]!r}")
    return latencies


def throughput(client: Client) -> dict[str, dict[str, float]]:
    samples: dict[str, list[float]] = {name: [] for name in CONFIGS}
    for classes in CONFIGS.values():
        PlotViewSet.throttle_classes = classes
        timed_requests(client, WARMUP)
    for _ in range(ROUNDS):
        for name, classes in CONFIGS.items():
            PlotViewSet.throttle_classes = classes
            samples[name] += timed_requests(client, REQUESTS_PER_ROUND)
    off_median = statistics.median(samples["off"])
    results = {}
    for name, latencies in samples.items():
        median = statistics.median(latencies)
        results[name] = {
            "requests": len(latencies),
            "rps": len(latencies) / sum(latencies),
            "median_ms": median * 1000,
            "p95_ms": statistics.quantiles(latencies, n=20)[18] * 1000,
            "added_median_ms": (median - off_median) * 1000,
        }
    for name in results:
        results[name]["throughput_vs_off"] = results[name]["rps"] / results["off"]["rps"]
    return results


def _signed_in_request(token: str) -> Any:
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from apps.companies.authentication import TenantJWTAuthentication

    request = Request(
        APIRequestFactory().get("/api/plots/", HTTP_AUTHORIZATION=token),
        authenticators=[TenantJWTAuthentication()],
    )
    request.user  # noqa: B018 - authenticate and resolve the tenant once
    return request


def _median_cost_us(throttle: Any, request: Any) -> float:
    samples = []
    for _ in range(3000):
        started = time.perf_counter()
        throttle.allow_request(request, None)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1e6


def isolated_cost(admin_client: Client, marketer_client: Client) -> dict[str, float]:
    """Median microseconds of one allow_request, outside the request stack (less noisy)."""
    admin = _signed_in_request(admin_client.defaults["HTTP_AUTHORIZATION"])
    marketer = _signed_in_request(marketer_client.defaults["HTTP_AUTHORIZATION"])
    loner = User.objects.filter(email="bench-no-company@example.ng").first() or User.objects.get(
        pk=user_create(email="bench-no-company@example.ng", password=BENCH_PASSWORD)
    )
    no_company = _signed_in_request(f"Bearer {issue_token_pair(loner).access}")
    with override_settings(API_NO_COMPANY_HOURLY_LIMIT=10**9):
        return {
            "ours-admin": _median_cost_us(TenantRateThrottle(), admin),
            "ours-marketer": _median_cost_us(TenantRateThrottle(), marketer),
            "ours-no-company": _median_cost_us(TenantRateThrottle(), no_company),
            "drf-stock": _median_cost_us(BenchUserThrottle(), admin),
        }


def _fresh_windows(
    company_id: int, caller: str, hourly: int, daily: int, role: str = Role.COMPANY_ADMIN
) -> Any:
    store = counter_store()
    assert isinstance(store, RedisCounterStore), "the benchmark needs the Redis store"
    windows = company_windows(
        company_id=company_id, caller=caller, role=role, hourly_limit=hourly, daily_limit=daily
    )
    keys = [window.key for window in windows.limits] + [windows.daily_refused_key]
    store.redis.delete(*(store._key(key) for key in keys))
    return windows


def accuracy_ours() -> int:
    windows = _fresh_windows(987654, "u1", LIMIT, 10**9)
    store = counter_store()
    with ThreadPoolExecutor(THREADS) as pool:
        hits = list(pool.map(lambda _: store.hit_company(windows).admitted, range(FIRED)))
    return sum(hits)


def accuracy_shared_cap() -> dict[str, int]:
    """CALLERS callers of one company fire FIRED requests at a daily cap of LIMIT; one
    greedy caller fires four in five of them."""
    callers = [_fresh_windows(987655, f"u{n}", 10**9, LIMIT) for n in range(CALLERS)]
    requests = [
        callers[0] if n % 5 else callers[1 + (n // 5) % (CALLERS - 1)] for n in range(FIRED)
    ]
    store = counter_store()
    with ThreadPoolExecutor(THREADS) as pool:
        admitted = list(pool.map(lambda windows: store.hit_company(windows).admitted, requests))
    by_caller = Counter(
        windows.caller_day.key for windows, ok in zip(requests, admitted, strict=True) if ok
    )
    return {
        "callers": CALLERS,
        "fired": FIRED,
        "daily_cap": LIMIT,
        "share": caller_daily_share(LIMIT, role=Role.COMPANY_ADMIN),
        "admitted": sum(admitted),
        "most_by_one_caller": max(by_caller.values()),
    }


def accuracy_members_share() -> dict[str, int]:
    """CALLERS marketers and clients (one greedy) and one admin of a company fire FIRED
    requests at a daily cap of LIMIT; the admin fires one in five."""
    roles = (Role.MARKETER, Role.CLIENT)
    members = [
        _fresh_windows(987656, f"u{n}", 10**9, LIMIT, role=roles[n % 2]) for n in range(CALLERS)
    ]
    admin = _fresh_windows(987656, "u99", 10**9, LIMIT)
    members_day = admin.members_day
    store = counter_store()
    store.redis.delete(store._key(members_day.key))
    requests = [
        admin if n % 5 == 0 else members[0] if n % 2 else members[n % CALLERS] for n in range(FIRED)
    ]
    with ThreadPoolExecutor(THREADS) as pool:
        admitted = list(pool.map(lambda windows: store.hit_company(windows).admitted, requests))
    by_caller = Counter(
        windows.caller_day.key for windows, ok in zip(requests, admitted, strict=True) if ok
    )
    by_admin = by_caller.pop(admin.caller_day.key, 0)
    return {
        "members": CALLERS,
        "fired": FIRED,
        "daily_cap": LIMIT,
        "member_share": caller_daily_share(LIMIT, role=Role.MARKETER),
        "members_share": members_daily_share(LIMIT),
        "admitted": sum(admitted),
        "admitted_members": sum(by_caller.values()),
        "most_by_one_member": max(by_caller.values()),
        "admitted_admin": by_admin,
    }


def accuracy_stock() -> int:
    class StockThrottle(UserRateThrottle):
        rate = f"{LIMIT}/hour"

    request = SimpleNamespace(user=SimpleNamespace(is_authenticated=True, pk=987654))
    cache.delete(StockThrottle().get_cache_key(request, None))

    def fire(_: int) -> bool:
        return StockThrottle().allow_request(request, None)

    with ThreadPoolExecutor(THREADS) as pool:
        return sum(pool.map(fire, range(FIRED)))


def main() -> None:
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        raise SystemExit(f"The benchmark needs Redis at {settings.REDIS_URL}: {exc}") from exc
    admin_client, marketer_client = prepare()
    speed = throughput(marketer_client)
    cost = isolated_cost(admin_client, marketer_client)
    admitted = {"ours": accuracy_ours(), "drf-stock": accuracy_stock()}
    shared = accuracy_shared_cap()
    members = accuracy_members_share()

    print(
        f"\nGET /api/plots/ as a marketer through Django + DRF, {ROUNDS}x{REQUESTS_PER_ROUND}"
        " requests each"
    )
    header = ("throttle", "req/s", "median ms", "p95 ms", "added ms", "vs off")
    print("{:<16} {:>8} {:>10} {:>8} {:>9} {:>7}".format(*header))
    for name, row in speed.items():
        print(
            f"{name:<16} {row['rps']:>8.0f} {row['median_ms']:>10.2f} {row['p95_ms']:>8.2f} "
            f"{row['added_median_ms']:>9.2f} {row['throughput_vs_off']:>6.1%}"
        )
    print("\nOne allow_request alone (median of 3000), microseconds")
    for name, micros in cost.items():
        print(f"{name:<16} {micros:>8.0f}")
    print(f"\n{THREADS} threads firing {FIRED} requests at a limit of {LIMIT}/hour")
    print(f"{'throttle':<16} {'admitted':>8} {'exact':>6}")
    for name, count in admitted.items():
        print(f"{name:<16} {count:>8} {'yes' if count == LIMIT else 'no':>6}")
    print(
        f"\n{THREADS} threads firing {shared['fired']} requests from {shared['callers']} callers"
        f" (4 in 5 from one), company cap {shared['daily_cap']}/day, share {shared['share']}"
    )
    print(f"admitted {shared['admitted']}, most by one caller {shared['most_by_one_caller']}")
    print(
        f"\n{THREADS} threads firing {members['fired']} requests from {members['members']}"
        f" marketers and clients (half from one) and an admin (1 in 5), company cap"
        f" {members['daily_cap']}/day, {members['member_share']} per member,"
        f" {members['members_share']} for them together"
    )
    print(
        f"admitted {members['admitted']}: members {members['admitted_members']} (most by one"
        f" {members['most_by_one_member']}), admin {members['admitted_admin']}"
    )

    result = {
        "measured_at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "redis": settings.REDIS_URL,
        "endpoint": "GET /api/plots/ (25 per page), as a marketer",
        "throughput": speed,
        "allow_request_median_us": cost,
        "concurrency": {"threads": THREADS, "fired": FIRED, "limit": LIMIT, "admitted": admitted},
        "shared_daily_cap": {"threads": THREADS, **shared},
        "members_share": {"threads": THREADS, **members},
    }
    out = ROOT / "bench" / "results" / "rate_limit.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
