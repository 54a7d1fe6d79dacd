"""Local development: the embedded defaults plus DEBUG, static files without collectstatic."""

from config.settings.base import *  # noqa: F403
from config.settings.base import env

DEBUG = env.bool("DEBUG", default=True)
WHITENOISE_USE_FINDERS = True
# Served from the apps' static folders; there is no collectstatic output to look in.
STATIC_ROOT = None
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
