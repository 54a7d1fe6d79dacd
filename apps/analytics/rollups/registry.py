"""The roll-up builders the nightly task and `rebuild_analytics` run, in order.

A builder takes a day and the companies to rebuild (None: all) and replaces that
day's rows, so running it twice gives the same tables (idempotent).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

RollupBuilder = Callable[[date, Sequence[int] | None], int]

_builders: list[tuple[str, RollupBuilder]] = []


def register(name: str) -> Callable[[RollupBuilder], RollupBuilder]:
    """Decorator: add a builder under a name (shown by the command's output)."""

    def add(builder: RollupBuilder) -> RollupBuilder:
        if any(existing == name for existing, _ in _builders):
            raise ValueError(f"roll-up builder {name!r} is registered twice")
        _builders.append((name, builder))
        return builder

    return add


def builders() -> list[tuple[str, RollupBuilder]]:
    return list(_builders)
