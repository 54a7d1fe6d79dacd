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
from pathlib import Path
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


@contextmanager
def throwaway_database(suffix: str) -> Iterator[str]:
    """Create and migrate ``test_<name>_<suffix>`` beside DATABASE_URL's database (Django's
    test-database machinery); yield its URL; drop it afterwards (BENCH_KEEPDB=1 keeps it).
    Django must be set up, on PostgreSQL."""
    from django.db import connection

    database = connection.settings_dict
    if database["ENGINE"] != "django.db.backends.postgresql":
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
