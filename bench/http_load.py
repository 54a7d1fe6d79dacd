"""What the HTTP benchmarks share: the services they need, a throwaway database,
starting and stopping the server they measure, and reading the CPU time its workers and
their PostgreSQL sessions spend."""

import http.client
import os
import platform
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import redis
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent

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
    """CPU time of the server's workers and of their PostgreSQL backends (the sessions on
    the benchmark's database other than this process's), read from /proc: what a request
    costs the machine, steadier than requests per second on a shared machine. A session
    that ended during a round would take its time with it: the server's connections are
    kept for the whole run (DB_CONN_MAX_AGE)."""

    server_pid: int

    def snapshot(self) -> dict[str, dict[int, float]]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
            )
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


def port_taken(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(  # noqa: S603 - our own executables and arguments
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


def wait_ready(
    process: subprocess.Popen[bytes], log: Path, host: str, port: int, timeout: float = 90
) -> None:
    """Wait until the server answers /readyz with 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited ({process.returncode}):\n{log_tail(log)}")
        try:
            conn = http.client.HTTPConnection(host, port, timeout=5)
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


# --- services and the database -------------------------------------------------------------


def require_services(script: str, redis_url: str, host: str, port: int) -> redis.Redis:
    """Stop unless DATABASE_URL is PostgreSQL, Redis answers at ``redis_url`` and nothing
    listens on ``port``; the Redis database, flushed, is returned."""
    engine = connection.settings_dict["ENGINE"]
    if engine != "django.db.backends.postgresql":
        raise SystemExit(
            f"{script} measures on PostgreSQL; DATABASE_URL points at"
            f" {engine.rsplit('.', 1)[-1]}. Run it with, for example,"
            " DATABASE_URL=postgres://postgres@127.0.0.1:5432/estateapp (a throwaway database"
            " beside it is created and dropped)."
        )
    client = redis.Redis.from_url(redis_url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise SystemExit(
            f"The benchmark needs Redis at {redis_url} (BENCH_REDIS_URL): {exc}"
        ) from exc
    if port_taken(host, port):
        raise SystemExit(f"Something already listens on {host}:{port}; set BENCH_PORT.")
    client.flushdb()
    return client


@contextmanager
def throwaway_database(suffix: str) -> Iterator[str]:
    """``test_<name>_<suffix>`` beside the database DATABASE_URL names, created and
    migrated (Django's test-database machinery), its URL yielded, dropped at the end
    (BENCH_KEEPDB=1 keeps it)."""
    database = connection.settings_dict
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


def server_setting(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        (value,) = cursor.fetchone()
    return value


def machine_facts(load_before: tuple[float, float, float]) -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
    }
