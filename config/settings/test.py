"""Test settings: the embedded defaults, fast hashing, mail kept in memory.

DATABASE_URL and REDIS_URL still apply, so the same suite runs against PostgreSQL and
Redis in CI.
"""

from config.settings.base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WHITENOISE_USE_FINDERS = True
# Served from the apps' static folders; there is no collectstatic output to look in.
STATIC_ROOT = None
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
CELERY_TASK_ALWAYS_EAGER = True
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
EVENTS_RAISE_RECEIVER_ERRORS = True
# Tests log in far more often than people; the limits themselves have their own tests.
LOGIN_RATE_LIMIT = "1000/m"
SIGNUP_RATE_LIMIT = "1000/m"
PASSWORD_RESET_RATE_LIMIT = "1000/m"  # noqa: S105 - a rate, not a password
ADMIN_LOGIN_RATE_LIMIT = "1000/m"
LOGIN_ACCOUNT_RATE_LIMIT = "1000/m"
# Tests write buffered analytics events explicitly (apps.analytics.services.events_flush).
ANALYTICS_FLUSH_AFTER_RESPONSE = False
