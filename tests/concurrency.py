"""Running calls at the same moment, each in its own thread with its own database
connection, for the tests of races (PostgreSQL row locks, SQLite's write lock)."""

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection


@dataclass(frozen=True, slots=True)
class Outcome:
    value: Any = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def run_together(*calls: Callable[[], Any], timeout: float = 60) -> list[Outcome]:
    """Run each call in its own thread, all released at once by a barrier; the outcome of
    each, in the order of ``calls``. Fails if a worker is still stuck after ``timeout``."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[Outcome] = [Outcome()] * len(calls)

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[index] = Outcome(value=calls[index]())
        except BaseException as exc:  # the outcome is what the test asserts
            outcomes[index] = Outcome(error=exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a worker is stuck"
    return outcomes
