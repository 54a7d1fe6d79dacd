"""Production: strict.

Secrets, hosts, the shared services and what invoices print (our name, address and bank
account) have no defaults; a missing one stops start-up.
"""

import re
import sys

from config.settings.base import *  # noqa: F403
from config.settings.base import env

# Without Redis and a broker the embedded fallbacks would quietly take over: a cache,
# rate-limit counters and token denylist per process, and Celery tasks run inside requests.
REQUIRED_VARIABLES = (
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    # The development placeholders must never reach a real invoice: a company would be
    # told to pay into account 0000000000.
    "INVOICE_SELLER_NAME",
    "INVOICE_SELLER_ADDRESS",
    "INVOICE_SELLER_EMAIL",
    "INVOICE_BANK_NAME",
    "INVOICE_BANK_ACCOUNT_NAME",
    "INVOICE_BANK_ACCOUNT_NUMBER",
)


def _refuse(problem: str) -> None:
    # One line on stderr and a non-zero exit, not a traceback: the operator needs the
    # variable's name, nothing else.
    sys.stderr.write(f"Configuration error: {problem}\n")
    raise SystemExit(1)


for _name in REQUIRED_VARIABLES:
    if not env.str(_name, default="").strip():
        _refuse(f"{_name} must be set when DJANGO_ENV=production")
if not re.fullmatch(r"[0-9]{10}", env.str("INVOICE_BANK_ACCOUNT_NUMBER").strip()):
    _refuse("INVOICE_BANK_ACCOUNT_NUMBER must be a 10-digit NUBAN")

DJANGO_ENV = "production"  # also when chosen with DJANGO_SETTINGS_MODULE alone
DEBUG = False
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)
SECRET_KEY = env.str("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
SIMPLE_JWT["SIGNING_KEY"] = env.str("JWT_SIGNING_KEY", default=SECRET_KEY)  # noqa: F405

# Behind a TLS-terminating load balancer that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Load-balancer probes speak plain HTTP to the process.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)  # noqa: F405

LOGGING["root"]["level"] = env.str("LOG_LEVEL", default="INFO")  # noqa: F405
