"""Fixtures for the marketers tests: the domain events sent, and running on-commit callbacks."""

from functools import partial

import pytest
from django.dispatch import Signal

from apps.marketers import signals

EVENT_NAMES = [name for name, value in vars(signals).items() if isinstance(value, Signal)]


class SentEvents:
    """Every marketers domain event sent, in order, as (name, payload) pairs."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict]] = []

    def named(self, name: str) -> list[dict]:
        return [payload for sent_name, payload in self.sent if sent_name == name]

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.sent]

    def _receiver(self, name: str):
        def receive(sender, signal, **payload):
            self.sent.append((name, payload))

        return receive


@pytest.fixture
def events():
    recorder = SentEvents()
    receivers = {name: recorder._receiver(name) for name in EVENT_NAMES}
    for name, receiver in receivers.items():
        getattr(signals, name).connect(receiver, weak=False)
    yield recorder
    for name, receiver in receivers.items():
        getattr(signals, name).disconnect(receiver)


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """``with commit(): ...`` runs the block's on-commit callbacks (the events) at its end."""
    return partial(django_capture_on_commit_callbacks, execute=True)
