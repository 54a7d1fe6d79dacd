"""Writing rows from client data: only the fields a service names, saving only those,
and a duplicate answered as a conflict naming the field.

As HackSoft's styleguide has it, an update service says which fields it may change; a
caller passing anything else (a company, an owner, a status) gets a 400 naming it, never
a silent ``setattr``.
"""

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction

from apps.core.errors import ConflictError, ValidationFailed

M = TypeVar("M", bound=models.Model)


def model_update(*, instance: M, fields: Iterable[str], data: Mapping[str, Any]) -> tuple[M, bool]:
    """Set the ``data`` values of the allowed ``fields`` on ``instance`` and save just the
    ones that changed (and ``updated_at`` when the model has one).

    Returns the instance and whether anything changed. A key of ``data`` outside
    ``fields`` is refused with ValidationFailed before anything is set.
    """
    allowed = set(fields)
    refused = sorted(set(data) - allowed)
    if refused:
        raise ValidationFailed(details={name: ["This field cannot be set."] for name in refused})
    changed = []
    for name, value in data.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    if changed:
        if any(field.name == "updated_at" for field in instance._meta.concrete_fields):
            changed.append("updated_at")
        # A ForeignKey set as ``estate=`` saves its ``estate_id`` column: update_fields
        # takes the field's name, so no translation is needed.
        instance.save(update_fields=changed)
    return instance, bool(changed)


@contextmanager
def duplicate_is_conflict(*, message: str, code: str, field: str) -> Iterator[None]:
    """Turn a unique-constraint clash inside the block into a 409 naming ``field``.

    The block runs in a savepoint, so the caller's transaction stays usable.
    """
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        raise ConflictError(message, code=code, details={field: [message]}) from exc
