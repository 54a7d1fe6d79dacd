"""Liveness and readiness probes, against real (and really unreachable) services.

Port 1 on 127.0.0.1 has nothing listening, so a service pointed there fails the way a
down Redis does: the connection is refused.
"""

import logging
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils.functional import empty

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def client() -> Client:
    return Client()


@pytest.fixture
def no_broker(settings: Any) -> None:
    settings.CELERY_BROKER_URL = ""


def test_healthz_answers_ok_without_the_database(client: Client) -> None:
    # No django_db mark: pytest-django would turn any query into an error.
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_refuses_post(client: Client) -> None:
    response = client.post("/healthz")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


@pytest.mark.django_db
@pytest.mark.usefixtures("no_broker")
def test_readyz_checks_database_and_cache(client: Client) -> None:
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.usefixtures("no_broker")
def test_readyz_fails_when_the_cache_is_unreachable(client: Client) -> None:
    unreachable_cache = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": UNREACHABLE_REDIS,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
    # Changing CACHES makes Django drop its cache connections (setting_changed), so the
    # probe connects to the unreachable server, and the real cache is back afterwards.
    with override_settings(CACHES=unreachable_cache):
        response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failing"] == ["cache"]
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"].startswith("error: ")

    cache.set("health:probe", "reachable again")
    assert cache.get("health:probe") == "reachable again"
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_readyz_fails_when_the_broker_is_unreachable(client: Client, settings: Any) -> None:
    settings.CELERY_BROKER_URL = UNREACHABLE_REDIS

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["broker"]
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"] == "ok"
    assert body["checks"]["broker"].startswith("error: ")


@pytest.mark.redis
@pytest.mark.django_db
def test_readyz_checks_a_reachable_broker(client: Client, settings: Any) -> None:
    settings.CELERY_BROKER_URL = settings.REDIS_URL

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}


# --- static files: production serves them from collectstatic's manifest ------------------

MANIFEST_STORAGE = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}


@pytest.mark.django_db
@pytest.mark.usefixtures("no_broker")
def test_readyz_fails_until_collectstatic_has_written_the_manifest(
    client: Client, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with override_settings(
        STORAGES=MANIFEST_STORAGE, STATIC_ROOT=tmp_path, WHITENOISE_USE_FINDERS=False
    ):
        with caplog.at_level(logging.WARNING, logger="apps.core.health"):
            missing = [client.get("/readyz") for _ in range(3)]
        # What the admin answers meanwhile: the failure the probe stands for.
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            client.get("/admin/login/")

        call_command("collectstatic", "--noinput", verbosity=0)
        # The manifest is read once per process: as a process started now reads it.
        staticfiles_storage._wrapped = empty
        ready = client.get("/readyz")

    assert [response.status_code for response in missing] == [503, 503, 503]
    body = missing[0].json()
    assert body["failing"] == ["static"]
    assert body["checks"]["database"] == body["checks"]["cache"] == "ok"
    # Logged once, not on every probe.
    assert [r.getMessage() for r in caplog.records if r.name == "apps.core.health"] == [
        f"Readiness check static failed: no static files manifest at "
        f"{tmp_path / 'staticfiles.json'}: run collectstatic"
    ]

    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "cache": "ok", "static": "ok"}
    assert (tmp_path / "staticfiles.json").exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("no_broker")
def test_readyz_does_not_check_a_manifest_where_static_files_need_none(client: Client) -> None:
    # Development and tests serve static files from the apps' folders, no collectstatic.
    response = client.get("/readyz")

    assert response.status_code == 200
    assert "static" not in response.json()["checks"]
