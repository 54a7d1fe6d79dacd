"""One log line format, with timestamps in UTC, for every process: the web (Django and
gunicorn, see ``config/gunicorn_conf.py``), the Celery worker and beat.

Django sets the process's zone to TIME_ZONE (Africa/Lagos) when its settings load, so
``logging``'s local-time stamps would read in UTC before that moment and in Lagos time
after it, in one and the same log. UTC, marked ``Z``, reads the same everywhere.
"""

import logging
import time
from typing import Any

LINE_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"


class UTCFormatter(logging.Formatter):
    """``logging.Formatter`` stamping ISO 8601 UTC times: 2026-11-27T21:42:31.123Z."""

    converter = time.gmtime
    default_time_format = "%Y-%m-%dT%H:%M:%S"
    default_msec_format = "%s.%03dZ"


def logging_config(*, level: str, loggers: dict[str, Any] | None = None) -> dict[str, Any]:
    """A ``dictConfig`` with one UTC formatter, the root logger on stderr at ``level``."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"utc": {"class": "config.logs.UTCFormatter", "format": LINE_FORMAT}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "utc",
                "stream": "ext://sys.stderr",
            },
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": loggers or {},
    }
