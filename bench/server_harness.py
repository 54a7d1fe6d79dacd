"""Running the product under gunicorn for a benchmark: a throwaway PostgreSQL database
beside DATABASE_URL's, servers started in their own process groups and stopped even on
Ctrl-C, and readiness checks. (bench/stripe_webhooks.py predates it and keeps its own.)"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"


def port_taken(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((HOST, port)) == 0


def gunicorn(port: int, workers: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """A gunicorn of the product (gunicorn.conf.py applies, as in production)."""
    command = [str(BIN / "gunicorn"), "config.wsgi:application"]
    command += ["--bind", f"{HOST}:{port}", "--workers", str(workers)]
    command += ["--worker-class", "sync", "--timeout", "60", "--log-level", "warning"]
    with log.open("ab") as out:
        return subprocess.Popen(  # noqa: S603 - our own executable and arguments
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop(process: subprocess.Popen[bytes] | None) -> None:
    """Stop a process this script started, and its children (its own process group)."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


def log_tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def wait_ready(process: subprocess.Popen[bytes], port: int, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited ({process.returncode}):\n{log_tail(log)}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/readyz")
            response = conn.getresponse()
            body = response.read()
            conn.close()
            if response.status == 200:
                return
            last = f"{response.status} {body[:200]!r}"
        except OSError as exc:
            last = str(exc)
        time.sleep(0.3)
    raise SystemExit(f"gunicorn not ready after {timeout:.0f} s ({last}):\n{log_tail(log)}")


def timed_get(port: int, path: str, headers: dict[str, str]) -> tuple[float, int]:
    """One GET on a new connection (as sync gunicorn closes each): milliseconds taken and
    the status (0 if the connection failed)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    started = time.perf_counter()
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        status = response.status
    except (OSError, http.client.HTTPException):
        status = 0
    finally:
        conn.close()
    return (time.perf_counter() - started) * 1000, status


@contextmanager
def throwaway_database(suffix: str) -> Iterator[str]:
    """Create and migrate ``test_<name>_<suffix>`` beside DATABASE_URL's database (Django's
    test-database machinery); yield its URL; drop it afterwards (BENCH_KEEPDB=1 keeps it).
    Django must be set up, on PostgreSQL."""
    from django.db import connection

    database = connection.settings_dict
    if not database["ENGINE"].endswith("postgresql"):
        raise SystemExit(
            "This benchmark measures on PostgreSQL; DATABASE_URL points at"
            f" {database['ENGINE'].rsplit('.', 1)[-1]}. Run it with, for example,"
            " DATABASE_URL=postgres://postgres@127.0.0.1:5432/estateapp (a throwaway database"
            " beside it is created and dropped)."
        )
    original_name = database["NAME"]
    database.setdefault("TEST", {})["NAME"] = f"test_{original_name}_{suffix}"
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    url = urlsplit(os.environ["DATABASE_URL"])
    try:
        yield urlunsplit(url._replace(path=f"/{test_name}"))
    finally:
        connection.close()
        if os.environ.get("BENCH_KEEPDB"):
            print(f"kept the database {test_name} (BENCH_KEEPDB); the next run replaces it")
        else:
            connection.creation.destroy_test_db(original_name, verbosity=0)


# --- CPU time, from /proc ----------------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def _children(parent: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
                pids.append(int(entry.name))
    return pids


@dataclass
class CpuMeter:
    """CPU time of a server's workers and of their PostgreSQL backends (the sessions on
    the benchmark's database other than this process's; only those with
    ``application_name`` when given), read from /proc: what a request costs the machine,
    steadier than requests per second on a shared machine. A session that ended during a
    round would take its time with it: keep the server's connections (DB_CONN_MAX_AGE)."""

    server_pid: int
    application_name: str | None = None

    def snapshot(self) -> dict[str, dict[int, float]]:
        from django.db import connection

        sql = (
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        )
        params: list[str] = []
        if self.application_name is not None:
            sql += " AND application_name = %s"
            params.append(self.application_name)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            backends = [pid for (pid,) in cursor.fetchall()]
        return {
            "server": self._read(_children(self.server_pid)),
            "database": self._read(backends),
            "client": {0: time.process_time()},
        }

    @staticmethod
    def _read(pids: list[int]) -> dict[int, float]:
        return {pid: seconds for pid in pids if (seconds := _cpu_seconds(pid)) is not None}

    @staticmethod
    def per_request_ms(
        before: dict[str, dict[int, float]], after: dict[str, dict[int, float]], requests: int
    ) -> dict[str, float]:
        return {
            f"{part}_cpu_ms": 1000
            * sum(seconds - before[part].get(pid, 0.0) for pid, seconds in after[part].items())
            / requests
            for part in after
        }


def bench_redis(url: str) -> Any:
    """The benchmark's own Redis database, reachable and emptied (or a clear exit)."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise SystemExit(f"The benchmark needs Redis at {url} (BENCH_REDIS_URL): {exc}") from exc
    client.flushdb()
    return client


def machine(load_before: tuple[float, float, float]) -> dict[str, Any]:
    """What the results were measured on."""
    import platform

    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
    }
