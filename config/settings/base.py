"""Settings shared by every mode, read from the environment with embedded defaults.

With no environment at all the project runs on SQLite, the local-memory cache, eager
Celery and the console email backend. Each service switches on when its variable is set.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from celery.schedules import crontab

from config.caches import LIMITS_CACHE, caches_for
from config.logs import logging_config
from config.sentry import init_sentry
from config.stripe import configure_stripe

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
DEBUG = env.bool("DEBUG", default=False)
# Overridden (and required) in production; good enough for a laptop and the tests.
SECRET_KEY = env.str(
    "SECRET_KEY", default="django-insecure-local-development-key-not-for-production"
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "auditlog",
    "pgtrigger",
    "apps.core",
    "apps.accounts",
    "apps.companies",
    "apps.estates",
    "apps.marketers",
    "apps.usage",
    "apps.billing",
    "apps.payments",
    "apps.notifications",
    "apps.audit",
    "apps.search",
    "apps.analytics",
    "apps.demo",
]

MIDDLEWARE = [
    # First, so every response carries the request's id (X-Request-ID).
    "apps.core.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "apps.core.middleware.ApiNoStoreMiddleware",
    "apps.core.middleware.UrlLengthMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "apps.audit.context.AuditContextMiddleware",
    "apps.analytics.events.middleware.EventCaptureMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "apps.usage.middleware.RateLimitHeadersMiddleware",
    # Last, so it is the first to see a view's exception and its 503 passes every other
    # middleware's response handling (Cache-Control, security headers).
    "apps.core.middleware.DatabaseBusyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- data stores -------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# A database server is kept connected between requests in every mode (a new PostgreSQL
# connection per request cost 2.4-2.9x the request); SQLite opens in microseconds.
_IS_SQLITE = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=0 if _IS_SQLITE else 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's, with the health check of a kept connection made only after it sat idle,
    # and prepared statements for the hot list pages.
    DATABASES["default"]["ENGINE"] = "config.db.postgresql"
# Off behind a pooler sharing server sessions between clients (PgBouncer's transaction
# mode before 1.21).
DB_PREPARED_STATEMENTS = env.bool("DB_PREPARED_STATEMENTS", default=True)
# Seconds a write on SQLite waits for another request's write to finish before giving up
# (then answered 503 database_busy with Retry-After, never a 500).
SQLITE_BUSY_TIMEOUT = env.float("SQLITE_BUSY_TIMEOUT", default=10.0)
if _IS_SQLITE:
    # The embedded default serves concurrent requests (runserver is threaded). With
    # SQLite's default deferred transactions, a transaction that has read and then wants
    # to write fails at once with "database is locked" when another writer got there
    # first (waiting could deadlock). IMMEDIATE takes the write lock at BEGIN, so writers
    # queue for up to the busy timeout instead; WAL lets reads go on meanwhile, and
    # synchronous=NORMAL is safe (and fast) under WAL. Options in DATABASE_URL win.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": SQLITE_BUSY_TIMEOUT,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
# "default" ignores Redis errors (an outage degrades to cache misses, logged once a
# minute per process); "limits", where the login and signup limits count, sees them and
# counts in memory meanwhile.
CACHES = caches_for(REDIS_URL, key_prefix=env.str("CACHE_KEY_PREFIX", default="estateapp"))

# --- auth ------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "apps.accounts.password_validation.MaximumLengthValidator"},
]

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    # A password change invalidates every token issued before it.
    "CHECK_REVOKE_TOKEN": True,
    "SIGNING_KEY": env.str("JWT_SIGNING_KEY", default=SECRET_KEY),
    "ALGORITHM": "HS256",
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
}

# --- API -------------------------------------------------------------------------------
# Longest /api/ URL (path and query string) answered; longer ones get 414 in the error
# format. Below gunicorn's request-line limit (gunicorn.conf.py), which answers on its own.
MAX_URL_LENGTH = env.int("MAX_URL_LENGTH", default=8000)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.companies.authentication.TenantJWTAuthentication",
        "apps.companies.authentication.ApiKeyAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["apps.core.permissions.IsTenantMember"],
    "DEFAULT_PARSER_CLASSES": ["apps.core.parsers.BoundedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["apps.core.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_CLASSES": ["apps.usage.throttling.TenantRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "apps.core.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": [
        "apps.core.filter_backends.LazyFilterBackend",
        "apps.core.ordering.StableOrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "apps.core.schema.ApiAutoSchema",
    "EXCEPTION_HANDLER": "apps.core.exception_handler.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "STRICT_JSON": True,
    "COERCE_DECIMAL_TO_STRING": True,
}
# Plot search's engine (a dotted path to a backend class); empty: PostgreSQL's full text
# on PostgreSQL, simple matching on SQLite. See docs/search.md.
SEARCH_BACKEND = env.str("SEARCH_BACKEND", default="")
# Each admin and API key of a company may use this share of the company's daily cap
# (at least one request), so no one caller can use up the day for the others.
API_CALLER_DAILY_SHARE = Decimal(env.str("API_CALLER_DAILY_SHARE", default="0.5"))
# Each marketer and client may use this share of it: low-privilege callers get less.
API_MEMBER_CALLER_DAILY_SHARE = Decimal(env.str("API_MEMBER_CALLER_DAILY_SHARE", default="0.1"))
# Marketers and clients together may use this share of it; the rest is kept for the
# company's admins and API keys, so members cannot lock them out for the day.
API_MEMBERS_DAILY_SHARE = Decimal(env.str("API_MEMBERS_DAILY_SHARE", default="0.5"))
# Requests an hour for a signed-in user who acts for no company (a marketer before
# affiliation); they are not metered.
API_NO_COMPANY_HOURLY_LIMIT = env.int("API_NO_COMPANY_HOURLY_LIMIT", default=300)
# Largest JSON body the API parses; bigger ones are refused with a 400 before parsing.
API_MAX_JSON_BODY_BYTES = env.int("API_MAX_JSON_BODY_BYTES", default=1024 * 1024)
# Most keys (counted across nested objects) a JSON body may have; no endpoint takes more
# than about ten fields, so a body with more is refused before any serializer runs.
API_MAX_JSON_KEYS = env.int("API_MAX_JSON_KEYS", default=100)
API_MAX_PAGE_SIZE = 100

# Per client IP, for endpoints used before a company is known (django-ratelimit rates).
LOGIN_RATE_LIMIT = env.str("LOGIN_RATE_LIMIT", default="10/m")
SIGNUP_RATE_LIMIT = env.str("SIGNUP_RATE_LIMIT", default="10/h")
PASSWORD_RESET_RATE_LIMIT = env.str("PASSWORD_RESET_RATE_LIMIT", default="5/h")
# The Django admin's login page, per client IP: few people use it, from few addresses.
ADMIN_LOGIN_RATE_LIMIT = env.str("ADMIN_LOGIN_RATE_LIMIT", default="20/h")
# Login attempts per account (the email typed), the API's and the admin's together. A
# locked account refuses even the right password until the window ends.
LOGIN_ACCOUNT_RATE_LIMIT = env.str("LOGIN_ACCOUNT_RATE_LIMIT", default="10/15m")
# Proxies in front of the app that append to X-Forwarded-For (0: trust REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Counted in Redis, or in the process's memory while Redis is down (config/caches.py): a
# Redis outage never switches these limits off. A count that could be kept nowhere
# refuses the attempt.
RATELIMIT_USE_CACHE = LIMITS_CACHE
RATELIMIT_FAIL_OPEN = False

SPECTACULAR_SETTINGS = {
    "TITLE": "EstateApp API",
    "DESCRIPTION": "Multi-tenant API for real-estate companies, their marketers and clients.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/",
    "GET_LIB_DOC_EXCLUDES": "apps.core.schema.doc_excludes",
    # A plot is answered with any status but written only as available or reserved: two
    # enums, which drf-spectacular would otherwise merge under one name.
    "ENUM_NAME_OVERRIDES": {
        "PlotStatusEnum": ["available", "reserved", "sold"],
        "PlotWritableStatusEnum": ["available", "reserved"],
        "InvoiceStatusEnum": "apps.billing.models.InvoiceStatus",
        "PaymentStatusEnum": "apps.payments.models.PaymentStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.core.schema.describe_error_codes",
    ],
}

# --- product rules -----------------------------------------------------------------------
CURRENCY = "NGN"
VAT_RATE = Decimal(env.str("VAT_RATE", default="0.075"))
TRIAL_DAYS = env.int("TRIAL_DAYS", default=14)
# Offline invoices are due this many days after they are issued; a company with an
# invoice overdue for BILLING_GRACE_DAYS is suspended until it pays.
BILLING_NET_DAYS = env.int("BILLING_NET_DAYS", default=7)
BILLING_GRACE_DAYS = env.int("BILLING_GRACE_DAYS", default=14)
# Commissions wait this long before process_commissions approves them (sales cancelled
# in the meantime cancel their commission instead).
COMMISSION_HOLD_DAYS = env.int("COMMISSION_HOLD_DAYS", default=7)

# Analytics (apps/analytics): activity events are buffered (Redis, or this process's
# memory in the embedded mode) and written in bulk; see docs/analytics.md.
ANALYTICS_CAPTURE_EVENTS = env.bool("ANALYTICS_CAPTURE_EVENTS", default=True)
ANALYTICS_EVENT_RETENTION_DAYS = env.int("ANALYTICS_EVENT_RETENTION_DAYS", default=400)
# Embedded mode only (no Redis): the in-process buffer's bound (the oldest events are
# dropped past it) and when a request's end writes it (this many events, or the oldest
# this many seconds old). Off in tests, which flush explicitly.
ANALYTICS_LOCAL_BUFFER_MAX = env.int("ANALYTICS_LOCAL_BUFFER_MAX", default=10_000)
ANALYTICS_FLUSH_AFTER_RESPONSE = env.bool("ANALYTICS_FLUSH_AFTER_RESPONSE", default=True)
ANALYTICS_LOCAL_FLUSH_EVENTS = env.int("ANALYTICS_LOCAL_FLUSH_EVENTS", default=100)
ANALYTICS_LOCAL_FLUSH_SECONDS = env.int("ANALYTICS_LOCAL_FLUSH_SECONDS", default=60)
# A buyer "viewed before buying" if they viewed one of the company's plots this many
# days up to the purchase's day.
ANALYTICS_CONVERSION_LOOKBACK_DAYS = env.int("ANALYTICS_CONVERSION_LOOKBACK_DAYS", default=30)
# The widest range a report answers: any granularity, and by day.
ANALYTICS_REPORT_MAX_DAYS = env.int("ANALYTICS_REPORT_MAX_DAYS", default=1096)
ANALYTICS_REPORT_MAX_DAYS_BY_DAY = env.int("ANALYTICS_REPORT_MAX_DAYS_BY_DAY", default=366)

# --- i18n, static -------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "Africa/Lagos"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
# Where collectstatic writes and the web process serves from (WhiteNoise, with the
# manifest of hashed names). Required in production: the default is beside the source
# tree, which for an installed package is somewhere inside the virtual environment.
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# The single-page app: links in emails point there.
FRONTEND_URL = env.str("FRONTEND_URL", default="http://127.0.0.1:3000")
# How long an emailed link to verify an address, or to accept a company's invitation, works.
EMAIL_VERIFICATION_DAYS = env.int("EMAIL_VERIFICATION_DAYS", default=3)
INVITATION_DAYS = env.int("INVITATION_DAYS", default=7)
# At most this many invitation emails per client record in any 24 hours (resends included).
INVITATIONS_PER_CLIENT_PER_DAY = env.int("INVITATIONS_PER_CLIENT_PER_DAY", default=3)

# --- email -----------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
# Another Django email backend, e.g. django-anymail's ("anymail.backends.mailgun.EmailBackend",
# with the package installed and its ANYMAIL settings), instead of EMAIL_URL's.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default=EMAIL_BACKEND)  # noqa: F821 (set just above)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="EstateApp <no-reply@estateapp.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- notifications (apps.notifications) ----------------------------------------------------
# SMS: "apps.notifications.sms.console.ConsoleBackend" (development), "...twilio.TwilioBackend"
# or "...africastalking.AfricasTalkingBackend".
SMS_BACKEND = env.str("SMS_BACKEND", default="apps.notifications.sms.console.ConsoleBackend")
# Twilio (TWILIO_API_BASE only points the SDK at a local server in tests).
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env.str("TWILIO_FROM_NUMBER", default="")
TWILIO_API_BASE = env.str("TWILIO_API_BASE", default="")
# Africa's Talking ("sandbox" as the username uses their sandbox; the sender ID is optional,
# the account's default is used without it; AFRICASTALKING_API_BASE is for tests).
AFRICASTALKING_USERNAME = env.str("AFRICASTALKING_USERNAME", default="")
AFRICASTALKING_API_KEY = env.str("AFRICASTALKING_API_KEY", default="")
AFRICASTALKING_SENDER_ID = env.str("AFRICASTALKING_SENDER_ID", default="")
AFRICASTALKING_API_BASE = env.str("AFRICASTALKING_API_BASE", default="")
# A failed email or SMS is tried this many times in all (with back-off), then left failed.
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=5)
# The right-hand side of our emails' Message-IDs.
NOTIFICATION_MESSAGE_ID_DOMAIN = env.str(
    "NOTIFICATION_MESSAGE_ID_DOMAIN", default="estateapp.local"
)
# Where mail clients reach this API from outside: emails' one-click List-Unsubscribe links.
API_PUBLIC_URL = env.str("API_PUBLIC_URL", default="http://127.0.0.1:8000")

# --- audit trail (apps.audit) -------------------------------------------------------------
AUDITLOG_LOGENTRY_MODEL = "audit.AuditEntry"
# auditlog's own migrations would create its default entry table, unused once the model
# is swapped for ours (and in the way of Django's flush); its models get no migrations.
MIGRATION_MODULES = {"auditlog": None}
AUDITLOG_CID_GETTER = "apps.core.request_id.current_request_id"
AUDITLOG_MASK_CALLABLE = "apps.audit.tracking.mask"
# Days each tier's audit entries are kept; the platform's own entries (failed sign-ins,
# calls without a company) are kept AUDIT_PLATFORM_RETENTION_DAYS.
AUDIT_RETENTION_DAYS = {
    "starter": env.int("AUDIT_RETENTION_DAYS_STARTER", default=90),
    "professional": env.int("AUDIT_RETENTION_DAYS_PROFESSIONAL", default=365),
    "enterprise": env.int("AUDIT_RETENTION_DAYS_ENTERPRISE", default=7 * 365),
}
AUDIT_PLATFORM_RETENTION_DAYS = env.int("AUDIT_PLATFORM_RETENTION_DAYS", default=365)
# Failed API calls (5xx, 429): at most one entry per caller and kind per window (seconds),
# and at most this many entries per window in all.
AUDIT_FAILED_CALL_WINDOW = env.int("AUDIT_FAILED_CALL_WINDOW", default=60)
AUDIT_FAILED_CALL_MAX_PER_WINDOW = env.int("AUDIT_FAILED_CALL_MAX_PER_WINDOW", default=100)

# --- invoices (apps.billing.invoice_pdf) ---------------------------------------------------
# Printed on every invoice PDF: who issues it and where to pay. The defaults are development
# placeholders that say so on the PDF; production requires the real values.
INVOICE_SELLER_NAME = env.str("INVOICE_SELLER_NAME", default="EstateApp Ltd (PLACEHOLDER NAME)")
# Address lines, separated by "|".
INVOICE_SELLER_ADDRESS = tuple(
    line.strip()
    for line in env.str(
        "INVOICE_SELLER_ADDRESS",
        default="PLACEHOLDER ADDRESS, set INVOICE_SELLER_ADDRESS|Lagos, Nigeria",
    ).split("|")
    if line.strip()
)
INVOICE_SELLER_EMAIL = env.str("INVOICE_SELLER_EMAIL", default="billing@estateapp.local")
# Our Tax Identification Number; printed under our address when set.
INVOICE_SELLER_TIN = env.str("INVOICE_SELLER_TIN", default="")
INVOICE_BANK_NAME = env.str("INVOICE_BANK_NAME", default="PLACEHOLDER BANK (development only)")
INVOICE_BANK_ACCOUNT_NAME = env.str(
    "INVOICE_BANK_ACCOUNT_NAME", default="EstateApp Ltd (PLACEHOLDER ACCOUNT)"
)
# A 10-digit NUBAN; all zeros is no real account.
INVOICE_BANK_ACCOUNT_NUMBER = env.str("INVOICE_BANK_ACCOUNT_NUMBER", default="0000000000").strip()

# --- Celery ------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# No broker configured: run tasks in-process so the embedded mode needs nothing else.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Synced into django-celery-beat's tables when beat starts; editable in the admin after.
CELERY_BEAT_SCHEDULE = {
    "usage-flush-counters": {"task": "usage.flush_counters", "schedule": 300.0},
    "search-flush-analytics": {"task": "search.flush_analytics", "schedule": 60.0},
    "analytics-flush-events": {"task": "analytics.flush_events", "schedule": 60.0},
    "analytics-build-daily-rollups": {
        "task": "analytics.build_daily_rollups",
        "schedule": crontab(hour=0, minute=30),
    },
    "analytics-prune-events": {
        "task": "analytics.prune_events",
        "schedule": crontab(hour=3, minute=15),
    },
    "payments-process-stalled-events": {
        "task": "payments.process_stalled_events",
        "schedule": 600.0,
    },
    "accounts-prune-revoked-tokens": {
        "task": "accounts.prune_revoked_tokens",
        "schedule": crontab(hour=3, minute=30),
    },
    "billing-generate-monthly-invoices": {
        "task": "billing.generate_monthly_invoices",
        "schedule": crontab(day_of_month=1, hour=1, minute=0),
    },
    "payments-sync-stripe-subscriptions": {
        "task": "payments.sync_stripe_subscriptions",
        "schedule": crontab(hour=4, minute=0),
    },
    "billing-run-dunning": {
        "task": "billing.run_dunning",
        "schedule": crontab(hour=6, minute=0),
    },
    "notifications-send-pending": {"task": "notifications.send_pending", "schedule": 300.0},
    "notifications-send-trial-and-subscription-alerts": {
        "task": "notifications.send_trial_and_subscription_alerts",
        "schedule": crontab(hour=9, minute=0),
    },
    "notifications-send-weekly-summaries": {
        "task": "notifications.send_weekly_summaries",
        "schedule": crontab(day_of_week="mon", hour=8, minute=0),
    },
    "audit-cleanup-audit-logs": {
        "task": "audit.cleanup_audit_logs",
        "schedule": crontab(hour=3, minute=0),
    },
    "marketers-approve-due-commissions": {
        "task": "marketers.approve_due_commissions",
        "schedule": crontab(hour=2, minute=0),
    },
}
CELERY_TIMEZONE = TIME_ZONE

# --- logging -----------------------------------------------------------------------------
# Timestamps in UTC, in the web, the worker and beat alike (config/logs.py).
LOGGING = logging_config(level=env.str("LOG_LEVEL", default="INFO"))

# --- integrations --------------------------------------------------------------------------
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
# Which Plan price ids apply: "test" or "live" (one Stripe account per environment).
STRIPE_ENVIRONMENT = env.str("STRIPE_ENVIRONMENT", default="test")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")
# Retries of a failed call to Stripe inside one request or task (with back-off).
STRIPE_MAX_NETWORK_RETRIES = env.int("STRIPE_MAX_NETWORK_RETRIES", default=2)
STRIPE_ENABLED = configure_stripe(secret_key=STRIPE_SECRET_KEY, api_base=STRIPE_API_BASE)

SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENABLED = init_sentry(
    dsn=SENTRY_DSN,
    environment=env.str("SENTRY_ENVIRONMENT", default=DJANGO_ENV),
    release=env.str("SENTRY_RELEASE", default="") or None,
    traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.1),
)
