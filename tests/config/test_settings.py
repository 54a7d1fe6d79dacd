"""Settings: what each environment selects, and production refusing to start half-configured.

Settings are read once per process, so each case runs Django in a subprocess with an
environment built for it.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import stripe
from stripe._api_version import _ApiVersion

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# Variables the settings read; none may leak in from the shell that runs the tests.
SETTINGS_VARIABLE_PREFIXES = (
    "DJANGO_",
    "CELERY_",
    "SENTRY_",
    "STRIPE_",
    "SECURE_",
    "JWT_",
    "INVOICE_",
)
SETTINGS_VARIABLES = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "DB_CONN_MAX_AGE",
    "REDIS_URL",
    "CACHE_KEY_PREFIX",
    "EMAIL_URL",
    "EMAIL_BACKEND",
    "DEFAULT_FROM_EMAIL",
    "FRONTEND_URL",
    "API_PUBLIC_URL",
    "STATIC_ROOT",
    "NOTIFICATION_MESSAGE_ID_DOMAIN",
    "TRUSTED_PROXY_COUNT",
    "LOG_LEVEL",
    "VAT_RATE",
    "TRIAL_DAYS",
    "API_MAX_JSON_BODY_BYTES",
    "API_MAX_JSON_KEYS",
    "REQUIRE_SERVICES",
    "SQLITE_BUSY_TIMEOUT",
}

PRINT_SETTINGS = """
import json
from config.env import select_settings_module
select_settings_module()
import django
django.setup()
from django.conf import settings
import stripe
print(json.dumps({
    "module": settings.SETTINGS_MODULE,
    "debug": settings.DEBUG,
    "database_engine": settings.DATABASES["default"]["ENGINE"],
    "database_name": str(settings.DATABASES["default"]["NAME"]),
    "database_options": settings.DATABASES["default"].get("OPTIONS", {}),
    "conn_max_age": settings.DATABASES["default"]["CONN_MAX_AGE"],
    "cache_backend": settings.CACHES["default"]["BACKEND"],
    "cache_location": settings.CACHES["default"].get("LOCATION", ""),
    "limits_cache": settings.CACHES[settings.RATELIMIT_USE_CACHE],
    "limits_fail_open": settings.RATELIMIT_FAIL_OPEN,
    "celery_eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "celery_broker": settings.CELERY_BROKER_URL,
    "email_backend": settings.EMAIL_BACKEND,
    "email_host": settings.EMAIL_HOST,
    "email_port": settings.EMAIL_PORT,
    "sentry_enabled": settings.SENTRY_ENABLED,
    "stripe_enabled": settings.STRIPE_ENABLED,
    "stripe_api_version": stripe.api_version,
    "invoice_seller_address": settings.INVOICE_SELLER_ADDRESS,
    "invoice_bank_account_number": settings.INVOICE_BANK_ACCOUNT_NUMBER,
    "static_root": str(settings.STATIC_ROOT),
    "frontend_url": settings.FRONTEND_URL,
    "api_public_url": settings.API_PUBLIC_URL,
    "default_from_email": settings.DEFAULT_FROM_EMAIL,
    "message_id_domain": settings.NOTIFICATION_MESSAGE_ID_DOMAIN,
}))
"""


def clean_env(**variables: str) -> dict[str, str]:
    """The test process's environment without any setting, plus ``variables``."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in SETTINGS_VARIABLES and not name.startswith(SETTINGS_VARIABLE_PREFIXES)
    }
    env.update(variables)
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def loaded_settings(**variables: str) -> dict[str, Any]:
    result = run(["-c", PRINT_SETTINGS], clean_env(**variables))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def production_secret_key() -> str:
    return secrets.token_urlsafe(50)  # 67 characters, as Django's deploy check wants


# --- production: strict --------------------------------------------------------------------

# Everything production requires. The services are named, never contacted, by these tests.
PRODUCTION_REQUIRED = {
    "SECRET_KEY": "k" * 60,
    "ALLOWED_HOSTS": "api.example.ng",
    "DATABASE_URL": "sqlite:////tmp/x",
    "REDIS_URL": "redis://cache.estateapp.internal:6379/0",
    "CELERY_BROKER_URL": "redis://broker.estateapp.internal:6379/1",
    "INVOICE_SELLER_NAME": "EstateApp Technologies Ltd",
    "INVOICE_SELLER_ADDRESS": "14 Idowu Taylor Street|Victoria Island, Lagos",
    "INVOICE_SELLER_EMAIL": "billing@estateapp.ng",
    "INVOICE_BANK_NAME": "Zenith Bank Plc",
    "INVOICE_BANK_ACCOUNT_NAME": "EstateApp Technologies Ltd",
    "INVOICE_BANK_ACCOUNT_NUMBER": "1012345678",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.estateapp.internal:587",
    "DEFAULT_FROM_EMAIL": "EstateApp <no-reply@estateapp.ng>",
    "FRONTEND_URL": "https://app.estateapp.ng",
    "API_PUBLIC_URL": "https://api.estateapp.ng",
    "STATIC_ROOT": "/srv/estateapp/static",
}
# Email may leave through EMAIL_URL or another backend (EMAIL_BACKEND): its own test.
REQUIRED_BY_NAME = [name for name in PRODUCTION_REQUIRED if name != "EMAIL_URL"]


def production_env_without(name: str, **variables: str) -> dict[str, str]:
    present = {key: value for key, value in PRODUCTION_REQUIRED.items() if key != name}
    return clean_env(DJANGO_ENV="production", **present, **variables)


@pytest.mark.parametrize("missing", REQUIRED_BY_NAME)
def test_production_refuses_to_start_without_a_required_variable(missing: str) -> None:
    result = run(["manage.py", "check"], production_env_without(missing))

    assert result.returncode != 0
    assert result.stderr.splitlines() == [
        f"Configuration error: {missing} must be set when DJANGO_ENV=production"
    ]


@pytest.mark.parametrize("blank", ["SECRET_KEY", "REDIS_URL", "CELERY_BROKER_URL"])
def test_production_treats_a_blank_variable_as_missing(blank: str) -> None:
    result = run(["manage.py", "check"], production_env_without(blank, **{blank: "   "}))

    assert result.returncode != 0
    assert result.stderr.splitlines() == [
        f"Configuration error: {blank} must be set when DJANGO_ENV=production"
    ]


def test_production_refuses_to_start_without_a_way_to_send_email() -> None:
    result = run(["manage.py", "check"], production_env_without("EMAIL_URL"))

    assert result.returncode != 0
    assert result.stderr.splitlines() == [
        "Configuration error: EMAIL_URL (or EMAIL_BACKEND) must be set when DJANGO_ENV=production"
    ]


def test_production_takes_another_email_backend_instead_of_an_email_url() -> None:
    backend = "django.core.mail.backends.smtp.EmailBackend"
    env = production_env_without("EMAIL_URL", EMAIL_BACKEND=backend)

    result = run(["-c", PRINT_SETTINGS], env)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["email_backend"] == backend


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("FRONTEND_URL", "app.estateapp.ng", "FRONTEND_URL must be an absolute http(s) URL"),
        ("API_PUBLIC_URL", "/api", "API_PUBLIC_URL must be an absolute http(s) URL"),
        ("STATIC_ROOT", "staticfiles", "STATIC_ROOT must be an absolute path"),
        (
            "DEFAULT_FROM_EMAIL",
            "EstateApp",
            "DEFAULT_FROM_EMAIL must be an address, e.g. EstateApp <no-reply@example.com>",
        ),
    ],
)
def test_production_refuses_a_malformed_value(name: str, value: str, problem: str) -> None:
    result = run(["manage.py", "check"], production_env_without(name, **{name: value}))

    assert result.returncode != 0
    assert result.stderr.splitlines() == [f"Configuration error: {problem}"]


def test_production_uses_what_it_is_given_for_emails_and_static_files() -> None:
    loaded = loaded_settings(DJANGO_ENV="production", **PRODUCTION_REQUIRED)

    assert loaded["static_root"] == "/srv/estateapp/static"
    assert loaded["frontend_url"] == "https://app.estateapp.ng"
    assert loaded["api_public_url"] == "https://api.estateapp.ng"
    assert loaded["default_from_email"] == "EstateApp <no-reply@estateapp.ng>"
    assert loaded["email_backend"] == "django.core.mail.backends.smtp.EmailBackend"
    # Message-IDs end in our sending domain, not the development one.
    assert loaded["message_id_domain"] == "estateapp.ng"


def test_static_root_comes_from_the_environment() -> None:
    # Development serves from the apps' folders (no collectstatic); the base settings
    # read STATIC_ROOT for every mode that does collect.
    loaded = loaded_settings(DJANGO_SETTINGS_MODULE="config.settings.base", STATIC_ROOT="/x/s")

    assert loaded["static_root"] == "/x/s"


@pytest.mark.parametrize("number", ["123456789", "10123456789", "1012-34567", "0000000O00"])
def test_production_refuses_a_bank_account_number_that_is_not_a_nuban(number: str) -> None:
    env = production_env_without("INVOICE_BANK_ACCOUNT_NUMBER", INVOICE_BANK_ACCOUNT_NUMBER=number)

    result = run(["manage.py", "check"], env)

    assert result.returncode != 0
    assert result.stderr.splitlines() == [
        "Configuration error: INVOICE_BANK_ACCOUNT_NUMBER must be a 10-digit NUBAN"
    ]


def test_production_prints_our_invoice_details_as_configured() -> None:
    loaded = loaded_settings(
        DJANGO_ENV="production",
        **{**PRODUCTION_REQUIRED, "INVOICE_BANK_ACCOUNT_NUMBER": " 1012345678 "},
    )

    assert loaded["invoice_seller_address"] == ["14 Idowu Taylor Street", "Victoria Island, Lagos"]
    assert loaded["invoice_bank_account_number"] == "1012345678"


def test_invoice_address_lines_are_separated_by_bars() -> None:
    loaded = loaded_settings(INVOICE_SELLER_ADDRESS=" Plot 5, Ajose Adeogun St | | Lagos |")

    assert loaded["invoice_seller_address"] == ["Plot 5, Ajose Adeogun St", "Lagos"]


def test_production_uses_the_shared_services_never_the_embedded_fallbacks() -> None:
    loaded = loaded_settings(DJANGO_ENV="production", **PRODUCTION_REQUIRED)

    assert loaded["module"] == "config.settings.production"
    assert loaded["cache_backend"] == "apps.core.redis_cache.RedisCacheLoggingOutages"
    assert loaded["cache_location"] == PRODUCTION_REQUIRED["REDIS_URL"]
    assert loaded["celery_broker"] == PRODUCTION_REQUIRED["CELERY_BROKER_URL"]
    assert loaded["celery_eager"] is False
    # The login and signup limits count on the same Redis, seeing its errors (after a short
    # wait) so that they count in the process's memory instead of switching off.
    limits = loaded["limits_cache"]
    assert limits["BACKEND"] == "apps.core.fallback_cache.RedisCacheWithLocalFallback"
    assert limits["LOCATION"] == PRODUCTION_REQUIRED["REDIS_URL"]
    assert "IGNORE_EXCEPTIONS" not in limits["OPTIONS"]
    assert limits["OPTIONS"]["SOCKET_CONNECT_TIMEOUT"] <= 0.5
    assert limits["OPTIONS"]["SOCKET_TIMEOUT"] <= 0.5
    assert loaded["limits_fail_open"] is False


def test_production_passes_the_deploy_checks(tmp_path: Path) -> None:
    env = clean_env(
        DJANGO_ENV="production",
        **{
            **PRODUCTION_REQUIRED,
            "SECRET_KEY": production_secret_key(),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
        },
    )

    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert result.stderr == ""


# --- embedded defaults and configured services ----------------------------------------------


def test_no_environment_runs_embedded() -> None:
    loaded = loaded_settings()

    assert loaded["module"] == "config.settings.local"
    assert loaded["database_engine"] == "django.db.backends.sqlite3"
    assert loaded["database_name"] == str(PROJECT_ROOT / "db.sqlite3")
    # Concurrent requests queue for SQLite's write lock instead of failing on it.
    assert loaded["database_options"] == {
        "transaction_mode": "IMMEDIATE",
        "timeout": 10.0,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    }
    assert loaded["cache_backend"] == "django.core.cache.backends.locmem.LocMemCache"
    assert loaded["limits_cache"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert loaded["celery_broker"] == ""
    assert loaded["celery_eager"] is True
    assert loaded["email_backend"] == "django.core.mail.backends.console.EmailBackend"
    assert loaded["sentry_enabled"] is False
    assert loaded["stripe_enabled"] is False


def test_configured_services_are_used() -> None:
    loaded = loaded_settings(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/test",
        REDIS_URL="redis://127.0.0.1:6379/0",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/1",
        EMAIL_URL="smtp://127.0.0.1:2525",
    )

    assert loaded["database_engine"] == "config.db.postgresql"  # Django's, see config/db
    assert loaded["database_name"] == "test"
    assert loaded["database_options"] == {}  # SQLite's options are SQLite's alone
    assert loaded["cache_backend"] == "apps.core.redis_cache.RedisCacheLoggingOutages"
    assert loaded["cache_location"] == "redis://127.0.0.1:6379/0"
    assert loaded["celery_broker"] == "redis://127.0.0.1:6379/1"
    assert loaded["celery_eager"] is False
    assert loaded["email_backend"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (loaded["email_host"], loaded["email_port"]) == ("127.0.0.1", 2525)


def test_the_sqlite_busy_timeout_and_database_url_options_are_taken() -> None:
    assert loaded_settings(SQLITE_BUSY_TIMEOUT="2.5")["database_options"]["timeout"] == 2.5
    options = loaded_settings(DATABASE_URL="sqlite:////tmp/estateapp.sqlite3?timeout=3")[
        "database_options"
    ]
    assert options["timeout"] == 3
    assert options["transaction_mode"] == "IMMEDIATE"


@pytest.mark.parametrize(
    ("database_url", "seconds"),
    [("postgres://app@db.internal:5432/estateapp", 60), ("sqlite:////tmp/x.sqlite3", 0)],
)
def test_a_database_server_is_kept_connected_by_default(database_url: str, seconds: int) -> None:
    assert loaded_settings(DATABASE_URL=database_url)["conn_max_age"] == seconds
    assert loaded_settings(DATABASE_URL=database_url, DB_CONN_MAX_AGE="5")["conn_max_age"] == 5


def test_django_env_selects_the_settings_module() -> None:
    assert loaded_settings(DJANGO_ENV="test")["module"] == "config.settings.test"
    assert loaded_settings(DJANGO_ENV="development")["module"] == "config.settings.local"
    explicit = loaded_settings(
        DJANGO_ENV="production", DJANGO_SETTINGS_MODULE="config.settings.test"
    )
    assert explicit["module"] == "config.settings.test"


# --- Stripe's API version ---------------------------------------------------------------------


def test_stripe_api_version_is_pinned_in_a_fresh_process() -> None:
    assert loaded_settings()["stripe_api_version"] == _ApiVersion.CURRENT


def test_stripe_api_version_is_pinned_in_this_process(settings: Any) -> None:
    # pytest-django has loaded config.settings.test, which configures the SDK.
    assert settings.STRIPE_ENABLED is False
    assert stripe.api_version == _ApiVersion.CURRENT
