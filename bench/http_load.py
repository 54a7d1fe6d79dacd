"""GET load from client threads against a local server: a new connection per request
(sync gunicorn closes each), latencies and statuses collected, rates and percentiles."""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Callable
from typing import Any

HOST = "127.0.0.1"


def fire(
    port: int, paths: Callable[[int], str], count: int, token: str, threads: int
) -> dict[str, Any]:
    """``count`` GETs of ``paths(n)`` from ``threads`` threads, signed in with ``token``."""
    per_thread = [count // threads + (1 if i < count % threads else 0) for i in range(threads)]
    latencies: list[list[float]] = [[] for _ in range(threads)]
    statuses: list[dict[int, int]] = [{} for _ in range(threads)]
    headers = {"Authorization": f"Bearer {token}"}

    def work(index: int) -> None:
        for number in range(per_thread[index]):
            path = paths(index * 1_000_003 + number)
            started = time.perf_counter()
            conn = http.client.HTTPConnection(HOST, port, timeout=60)
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            conn.close()
            latencies[index].append(time.perf_counter() - started)
            statuses[index][response.status] = statuses[index].get(response.status, 0) + 1

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
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
        "p95_ms": round(1000 * flat[min(len(flat) - 1, int(len(flat) * 0.95))], 2),
        "statuses": {str(status): n for status, n in sorted(merged.items())},
    }
