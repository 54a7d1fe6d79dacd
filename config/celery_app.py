"""The Celery application.

Tasks are acknowledged late (a worker that dies mid-task leaves the message for another
worker) and retried with exponential back-off by default; a task opts out by passing
``autoretry_for=()``. Without CELERY_BROKER_URL the settings make every task run eagerly.
The worker and beat log as the web does (Django's LOGGING: one format, UTC timestamps).
"""

from logging.config import dictConfig
from typing import Any

from celery import Celery, Task
from celery.signals import setup_logging

from config.env import select_settings_module

select_settings_module()


class BaseTask(Task):
    autoretry_for = (Exception,)
    max_retries = 5
    retry_backoff = 2
    retry_backoff_max = 600
    retry_jitter = True
    acks_late = True
    reject_on_worker_lost = True


app = Celery("estateapp", task_cls=BaseTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def _log_as_the_web_does(**kwargs: Any) -> None:
    from django.conf import settings

    dictConfig(settings.LOGGING)
