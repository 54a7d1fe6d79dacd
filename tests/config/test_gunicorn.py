"""The gunicorn configuration shipped in the package (config/gunicorn_conf.py), run as the
guide runs it: from a directory outside the source tree, by module name."""

import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.config.test_settings import clean_env

GUNICORN = str(Path(sys.executable).parent / "gunicorn")
CONFIG = "python:config.gunicorn_conf"
# The smoke tests' own range (.ci/deploy_smoke uses 8700-8749).
PORTS = range(8750, 8800)
UTC_STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ")


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS}")


def start(tmp_path: Path, port: int, **variables: str) -> subprocess.Popen[str]:
    env = clean_env(HOME=str(tmp_path), **variables)
    env.pop("XDG_RUNTIME_DIR", None)
    return subprocess.Popen(  # noqa: S603 (our own gunicorn and arguments)
        [GUNICORN, "-c", CONFIG, "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_until_serving(server: subprocess.Popen[str], port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, server.communicate()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not answer /healthz within 60 s")


@pytest.fixture
def server_env(tmp_path: Path) -> dict[str, str]:
    return {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}


@pytest.fixture
def stop() -> Iterator[list[subprocess.Popen[str]]]:
    servers: list[subprocess.Popen[str]] = []
    yield servers
    for server in servers:
        if server.poll() is None:
            server.kill()
            server.communicate()


def test_a_settings_error_stops_gunicorn_instead_of_rebooting_workers(tmp_path: Path) -> None:
    port = free_port()
    server = start(tmp_path, port, DJANGO_ENV="production")
    try:
        _, stderr = server.communicate(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()

    assert server.returncode != 0
    assert "Configuration error: SECRET_KEY must be set when DJANGO_ENV=production" in stderr
    assert "Booting worker" not in stderr


def test_serves_from_outside_the_source_tree_and_logs_in_utc(
    tmp_path: Path, server_env: dict[str, str], stop: list[subprocess.Popen[str]]
) -> None:
    port = free_port()
    server = start(tmp_path, port, **server_env)
    stop.append(server)
    wait_until_serving(server, port)
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/healthz", headers={"X-Forwarded-For": "203.0.113.9"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        assert response.status == 200

    server.terminate()
    stdout, stderr = server.communicate(timeout=30)

    access = [line for line in stdout.splitlines() if "GET /healthz" in line]
    assert access, stdout
    assert all(UTC_STAMP.match(line) for line in access)
    assert "forwarded_for=203.0.113.9 request_id=" in access[-1]
    assert all(UTC_STAMP.match(line) for line in stderr.splitlines() if "gunicorn.error" in line)
    # No control socket unless asked for: gunicorn's default is shared by the user's
    # every instance.
    assert not (tmp_path / ".gunicorn").exists()


def test_a_control_socket_is_made_only_where_asked(
    tmp_path: Path, server_env: dict[str, str], stop: list[subprocess.Popen[str]]
) -> None:
    port = free_port()
    control = tmp_path / "run" / "estateapp-web.ctl"
    control.parent.mkdir()
    server = start(tmp_path, port, GUNICORN_CONTROL_SOCKET=str(control), **server_env)
    stop.append(server)
    wait_until_serving(server, port)

    deadline = time.monotonic() + 10
    while not control.is_socket() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert control.is_socket()
    assert not (tmp_path / ".gunicorn").exists()
