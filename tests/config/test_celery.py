"""The Celery app: task defaults (late acks, automatic retries with back-off) and the broker."""

import logging
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import celery
import pytest
from celery import Celery, signals
from celery.contrib.testing.worker import start_worker
from celery.exceptions import Retry
from celery.utils.imports import symbol_by_name
from django_celery_beat.schedulers import DatabaseScheduler

from config.celery_app import BaseTask, app

# Which attempt (request.retries) each run of the tasks below was.
attempts: list[int] = []


@app.task(bind=True, name="tests.config.flaky")
def flaky(self: Any, fail_times: int) -> str:
    attempts.append(self.request.retries)
    if self.request.retries < fail_times:
        raise ConnectionError("the SMS gateway is down")
    return "sent"


@app.task(bind=True, name="tests.config.no_autoretry", autoretry_for=())
def no_autoretry(self: Any) -> None:
    attempts.append(self.request.retries)
    raise ConnectionError("the SMS gateway is down")


@pytest.fixture(autouse=True)
def _reset_attempts() -> None:
    attempts.clear()


# --- configuration -------------------------------------------------------------------------


def test_tasks_default_to_late_acks_and_automatic_retries() -> None:
    # The registry holds the task itself (flaky may still be a lazy proxy).
    for task_class in (app.Task, type(app.tasks["tests.config.flaky"])):
        assert issubclass(task_class, BaseTask)
        assert task_class.acks_late is True
        assert task_class.reject_on_worker_lost is True
        assert task_class.autoretry_for == (Exception,)
        assert task_class.retry_backoff
        assert task_class.retry_jitter is True
        assert task_class.max_retries == 5


def test_app_reads_the_django_settings() -> None:
    assert app.conf.task_acks_late is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.timezone == "Africa/Lagos"
    # No broker in the test settings: tasks run in-process.
    assert app.conf.task_always_eager is True


def test_beat_uses_the_database_scheduler() -> None:
    assert app.conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"
    assert symbol_by_name(app.conf.beat_scheduler) is DatabaseScheduler


# --- retries -----------------------------------------------------------------------------------
# In eager mode Celery re-runs a retried task at once (Task.apply follows the Retry's
# signature, ignoring the countdown), but only when eager errors do not propagate. The
# settings make them propagate (CELERY_TASK_EAGER_PROPAGATES), so these tests switch that
# off to exercise the retry policy itself; the first test pins what callers see otherwise.


@pytest.fixture
def eager_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.conf, "task_eager_propagates", False)


def test_with_eager_propagation_the_first_failure_reaches_the_caller_as_retry() -> None:
    with pytest.raises(Retry) as raised:
        flaky.delay(fail_times=2)

    assert isinstance(raised.value.exc, ConnectionError)
    assert attempts == [0]


@pytest.mark.usefixtures("eager_retries")
def test_failing_task_is_retried_until_it_succeeds() -> None:
    result = flaky.delay(fail_times=2)

    assert result.get() == "sent"
    assert attempts == [0, 1, 2]


@pytest.mark.usefixtures("eager_retries")
def test_retries_back_off_exponentially(monkeypatch: pytest.MonkeyPatch) -> None:
    countdowns: list[float] = []
    original_retry = flaky.retry

    def recording_retry(*args: Any, **kwargs: Any) -> Any:
        countdowns.append(kwargs["countdown"])
        return original_retry(*args, **kwargs)

    monkeypatch.setattr(flaky, "retry", recording_retry)

    assert flaky.delay(fail_times=3).get() == "sent"

    # Full jitter: the n-th retry waits a random time up to retry_backoff * 2**n seconds.
    assert len(countdowns) == 3
    for retries, countdown in enumerate(countdowns):
        assert 0 <= countdown <= BaseTask.retry_backoff * 2**retries


@pytest.mark.usefixtures("eager_retries")
def test_task_that_keeps_failing_gives_up_after_max_retries() -> None:
    result = flaky.delay(fail_times=100)

    assert result.state == "FAILURE"
    assert isinstance(result.result, ConnectionError)
    assert attempts == list(range(BaseTask.max_retries + 1))


@pytest.mark.usefixtures("eager_retries")
def test_task_can_opt_out_of_automatic_retries() -> None:
    result = no_autoretry.delay()

    assert result.state == "FAILURE"
    assert attempts == [0]


# --- a real broker -------------------------------------------------------------------------------


def _redis_db(url: str, db: int) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{db}"))


def _keep_logging_alone(**kwargs: Any) -> None:
    """A setup_logging receiver: its presence stops the worker reconfiguring logging."""


@pytest.fixture
def roundtrip_app(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Celery]:
    """A separate app on a real Redis (database 15), with the project's task class.

    Starting an embedded worker makes its app the current and default one and sets up
    logging; all of that is undone afterwards so the rest of the suite is unaffected.
    """
    url = _redis_db(settings.REDIS_URL, 15)
    roundtrip = Celery("estateapp-roundtrip", task_cls=BaseTask, set_as_current=False)
    roundtrip.conf.update(
        broker_url=url,
        result_backend=url,
        task_always_eager=False,
        task_default_queue="estateapp-tests-roundtrip",
        broker_connection_retry_on_startup=False,
        worker_hijack_root_logger=False,
    )
    previous_app = celery.current_app._get_current_object()
    monkeypatch.setenv("CELERY_LOG_LEVEL", "")
    monkeypatch.setenv("CELERY_LOG_FILE", "")
    signals.setup_logging.connect(_keep_logging_alone)
    try:
        yield roundtrip
    finally:
        signals.setup_logging.disconnect(_keep_logging_alone)
        logging.captureWarnings(False)
        previous_app.set_current()
        previous_app.set_default()
        roundtrip.close()


@pytest.mark.redis
def test_task_round_trips_through_redis(roundtrip_app: Celery) -> None:
    @roundtrip_app.task(bind=True, name="tests.config.add")
    def add(self: Any, x: int, y: int) -> dict[str, Any]:
        delivery = self.request.delivery_info
        return {"sum": x + y, "eager": self.request.is_eager, "queue": delivery["routing_key"]}

    with roundtrip_app.connection_for_write() as connection:
        # A message left by an interrupted run would be consumed first.
        roundtrip_app.amqp.queues["estateapp-tests-roundtrip"].bind(connection).purge()

    started = time.monotonic()
    with start_worker(roundtrip_app, perform_ping_check=False, shutdown_timeout=10):
        result = add.delay(2, 3)
        outcome = result.get(timeout=10)
    elapsed = time.monotonic() - started

    assert outcome == {"sum": 5, "eager": False, "queue": "estateapp-tests-roundtrip"}
    assert result.state == "SUCCESS"
    assert elapsed < 10
    result.forget()
