"""Recording the domain events every app publishes, for any test folder.

``events`` (a fixture in tests/conftest.py) connects a receiver to every Signal declared
in an app's ``signals.py`` and keeps what was sent, in order, as (name, payload) pairs.
Events go out on commit: wrap the code in ``commit()`` to run those callbacks.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import import_module
from typing import Any

from django.apps import apps
from django.dispatch import Signal


def domain_signals() -> dict[str, Signal]:
    """Every signal the project's apps publish, by name."""
    found: dict[str, Signal] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("apps."):
            continue
        try:
            module = import_module(f"{config.name}.signals")
        except ModuleNotFoundError:
            continue
        for name, value in vars(module).items():
            if isinstance(value, Signal):
                found[name] = value
    return found


class EventRecorder:
    """Every domain event sent while connected, in order."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def named(self, name: str) -> list[dict[str, Any]]:
        return [payload for sent_name, payload in self.sent if sent_name == name]

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.sent]

    def _receiver(self, name: str) -> Callable[..., None]:
        def receive(sender: Any, signal: Signal, **payload: Any) -> None:
            self.sent.append((name, payload))

        return receive

    @contextmanager
    def connected(self) -> Iterator["EventRecorder"]:
        receivers = {name: self._receiver(name) for name in domain_signals()}
        signals = domain_signals()
        for name, receiver in receivers.items():
            signals[name].connect(receiver, weak=False)
        try:
            yield self
        finally:
            for name, receiver in receivers.items():
                signals[name].disconnect(receiver)
