"""gunicorn reads this file when started in the source tree without ``-c``; the settings
are the package's own (``config/gunicorn_conf.py``), which an installed deployment names
with ``gunicorn -c python:config.gunicorn_conf``."""

from config.gunicorn_conf import *  # noqa: F403
