"""Which settings module runs, chosen by DJANGO_ENV.

DJANGO_ENV=production selects the strict production settings, DJANGO_ENV=test the test
settings; anything else (or nothing) the local settings with embedded defaults.
An explicit DJANGO_SETTINGS_MODULE always wins.
"""

import os

SETTINGS_BY_ENV = {
    "production": "config.settings.production",
    "test": "config.settings.test",
}


def select_settings_module() -> str:
    module = SETTINGS_BY_ENV.get(os.environ.get("DJANGO_ENV", ""), "config.settings.local")
    return os.environ.setdefault("DJANGO_SETTINGS_MODULE", module)
