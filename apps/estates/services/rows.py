"""Fetching and saving the company's own rows, shared by the estates services."""

from typing import Any

from django.db import IntegrityError, transaction

from apps.core.errors import ConflictError, NotFoundError


def get_for_company(model: type, company_id: int, pk: int, *, lock: bool = False) -> Any:
    """The company's row of ``model`` with this id (locked if asked), else NotFoundError."""
    queryset = model.objects.filter(company_id=company_id)
    if lock:
        queryset = queryset.select_for_update()
    try:
        return queryset.get(pk=pk)
    except model.DoesNotExist as exc:
        raise NotFoundError(f"No such {model._meta.verbose_name}.") from exc


def save_unique(instance: Any, message: str, code: str, field: str) -> None:
    """Save, turning a unique-constraint clash into a clear 409 naming the field."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise ConflictError(message, code=code, details={field: [message]}) from exc
