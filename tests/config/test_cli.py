"""The ``estateapp`` command that installing the package provides: Django's management
commands with the settings DJANGO_ENV chooses, from any directory."""

import subprocess
import sys
from pathlib import Path

from tests.config.test_settings import PRODUCTION_REQUIRED, clean_env

ESTATEAPP = str(Path(sys.executable).parent / "estateapp")


def estateapp(*args: str, cwd: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own command and arguments)
        [ESTATEAPP, *args],
        cwd=cwd,
        env=clean_env(**variables),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_command_reads_django_env_as_manage_py_does(tmp_path: Path) -> None:
    strict = estateapp("check", cwd=tmp_path, DJANGO_ENV="production")
    embedded = estateapp("check", cwd=tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")

    assert strict.returncode != 0
    assert strict.stderr.splitlines() == [
        "Configuration error: SECRET_KEY must be set when DJANGO_ENV=production"
    ]
    assert embedded.returncode == 0, embedded.stderr
    assert "System check identified no issues" in embedded.stdout


def test_the_command_runs_production_settings_outside_the_source_tree(tmp_path: Path) -> None:
    variables = {
        **PRODUCTION_REQUIRED,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
    }

    result = estateapp("diffsettings", "--all", cwd=tmp_path, DJANGO_ENV="production", **variables)

    assert result.returncode == 0, result.stderr
    assert "SETTINGS_MODULE = 'config.settings.production'" in result.stdout
    assert f"STATIC_ROOT = {Path(tmp_path / 'static')!r}" in result.stdout
