"""Production: strict.

Secrets, hosts, the shared services, how and from whom email goes, where its links point,
where static files live and what invoices print (our name, address and bank account)
have no defaults; a missing one stops start-up.
"""

import re
import sys
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit

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
    # Our emails link to the SPA and to this API and come from our address: the
    # development values would send people to 127.0.0.1 from no-reply@estateapp.local.
    "FRONTEND_URL",
    "API_PUBLIC_URL",
    "DEFAULT_FROM_EMAIL",
    # collectstatic's output; the default lies inside the installed package's environment.
    "STATIC_ROOT",
)
# How email leaves: a URL (smtp+tls://...) or another backend (django-anymail's). Without
# either, emails would only be printed on the console.
EMAIL_VARIABLES = ("EMAIL_URL", "EMAIL_BACKEND")


def _refuse(problem: str) -> None:
    # One line on stderr and a non-zero exit, not a traceback: the operator needs the
    # variable's name, nothing else.
    sys.stderr.write(f"Configuration error: {problem}\n")
    raise SystemExit(1)


for _name in REQUIRED_VARIABLES:
    if not env.str(_name, default="").strip():
        _refuse(f"{_name} must be set when DJANGO_ENV=production")
if not any(env.str(name, default="").strip() for name in EMAIL_VARIABLES):
    _refuse("EMAIL_URL (or EMAIL_BACKEND) must be set when DJANGO_ENV=production")
if not re.fullmatch(r"[0-9]{10}", env.str("INVOICE_BANK_ACCOUNT_NUMBER").strip()):
    _refuse("INVOICE_BANK_ACCOUNT_NUMBER must be a 10-digit NUBAN")
for _name in ("FRONTEND_URL", "API_PUBLIC_URL"):
    if urlsplit(env.str(_name).strip()).scheme not in ("http", "https"):
        _refuse(f"{_name} must be an absolute http(s) URL")
if not Path(env.str("STATIC_ROOT")).is_absolute():
    _refuse("STATIC_ROOT must be an absolute path")
_sender_local, _at, _sender_domain = parseaddr(env.str("DEFAULT_FROM_EMAIL"))[1].rpartition("@")
if not (_sender_local and _sender_domain):
    _refuse("DEFAULT_FROM_EMAIL must be an address, e.g. EstateApp <no-reply@example.com>")

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
# Our emails' Message-IDs end in our sending domain unless told otherwise.
NOTIFICATION_MESSAGE_ID_DOMAIN = env.str("NOTIFICATION_MESSAGE_ID_DOMAIN", default=_sender_domain)
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)  # noqa: F405
