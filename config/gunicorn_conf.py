"""gunicorn's settings, shipped in the package: ``gunicorn -c python:config.gunicorn_conf``
works from any directory once EstateApp is installed (``gunicorn.conf.py`` at the root of
the source tree reads this too). The command line overrides any of them.

- The app is loaded before workers fork (``preload_app``): a settings error (a missing
  SECRET_KEY, ...) stops gunicorn with a non-zero exit instead of workers failing to boot
  over and over behind an open port.
- Bind address, workers and timeouts come from the environment (GUNICORN_*). The default
  bind is loopback; the guide binds a private interface only the load balancer reaches,
  because the app trusts TRUSTED_PROXY_COUNT hops of X-Forwarded-For.
- The control socket (gunicorn 25+) is per instance or none: gunicorn's default,
  ``~/.gunicorn/gunicorn.ctl``, is shared by every instance of the user, and a second
  instance takes it over from the first.
- Logs are lines in UTC, as Django's and Celery's (config/logs.py); each request's line
  carries its request id (the X-Request-ID response header) and X-Forwarded-For.
- The longest request line is raised to gunicorn's maximum: a list URL with several
  filters must reach Django, which answers one above MAX_URL_LENGTH (8000) with a 414 in
  the API's error format. Past this limit gunicorn answers 414 itself.
"""

import os

from config.logs import logging_config

wsgi_app = "config.wsgi:application"
preload_app = True

bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle a worker after this many requests (0: never), with jitter so they do not all
# restart together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10

_control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "").strip()
control_socket_disable = not _control_socket
if _control_socket:
    control_socket = _control_socket

limit_request_line = 8190

# Access lines go to stdout (the "access" handler below), errors to stderr.
access_log_format = (
    '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" '
    "forwarded_for=%({x-forwarded-for}i)s request_id=%({x-request-id}o)s"
)
logconfig_dict = logging_config(
    level=os.environ.get("LOG_LEVEL", "INFO"),
    loggers={
        # Each on its own handler, not also through the root one Django configures;
        # gunicorn.error's level is --log-level's.
        "gunicorn.error": {"handlers": ["console"], "propagate": False},
        "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
    },
)
logconfig_dict["handlers"]["access"] = {
    "class": "logging.StreamHandler",
    "formatter": "utc",
    "stream": "ext://sys.stdout",
}
