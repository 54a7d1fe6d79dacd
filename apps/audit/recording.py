"""Writing entries: the context's who/where filled in, one entry or many at a time."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from apps.audit.chain import append_many
from apps.audit.context import current_actor, current_request, request_ip, request_user_agent
from apps.audit.models import ActorKind, AuditEntry
from apps.core.request_id import current_request_id


def company_of(instance: models.Model) -> int | None:
    """The company a tracked row belongs to (the company itself for a Company)."""
    if instance._meta.label == "companies.Company":
        return instance.pk
    return getattr(instance, "company_id", None)


def fill_from_context(entry: AuditEntry) -> None:
    """Fill who did it and from where, unless the writer said so already."""
    if not entry.actor_kind:
        if entry.actor_id is not None:
            entry.actor_kind = ActorKind.USER
        else:
            actor = current_actor()
            entry.actor_kind = actor.kind
            if actor.user is not None:
                entry.actor = actor.user
            if actor.api_key_id is not None:
                entry.additional_data = {
                    **(entry.additional_data or {}),
                    "api_key_id": actor.api_key_id,
                }
    # Only a user already at hand: reading entry.actor otherwise would query for it.
    if not entry.actor_email and AuditEntry.actor.is_cached(entry) and entry.actor is not None:
        entry.actor_email = entry.actor.email
    request = current_request()
    if request is not None:
        if not entry.remote_addr:
            entry.remote_addr = request_ip(request)
        if not entry.user_agent:
            entry.user_agent = request_user_agent(request)
    if not entry.cid:
        entry.cid = current_request_id()


@dataclass(frozen=True, slots=True)
class EventEntry:
    """One domain event's entry, as receivers describe it."""

    action: int
    company_id: int | None
    model: str = ""  # "app_label.Model" of the object concerned, if any
    object_id: int | str | None = None
    object_repr: str = ""
    actor_id: int | None = None
    actor_kind: str = ""
    changes: Mapping[str, Any] | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


def _content_type_id(label: str) -> int | None:
    if not label:
        return None
    app_label, model_name = label.split(".")
    return ContentType.objects.get_by_natural_key(app_label, model_name.lower()).pk


def _entry(event: EventEntry) -> AuditEntry:
    object_id = event.object_id
    return AuditEntry(
        action=event.action,
        company_id=event.company_id,
        content_type_id=_content_type_id(event.model),
        object_pk="" if object_id is None else str(object_id),
        object_id=object_id if isinstance(object_id, int) else None,
        object_repr=event.object_repr,
        actor_id=event.actor_id,
        actor_kind=event.actor_kind,
        changes=dict(event.changes) if event.changes is not None else None,
        additional_data=dict(event.data) or None,
    )


def entries_record(
    events: Iterable[EventEntry], *, request_id: str | None = None
) -> list[AuditEntry]:
    """Write one entry per event, linked into their chains together (``request_id``: the
    request they come from, for a worker that records them after it)."""
    entries = [_entry(event) for event in events]
    for entry in entries:
        entry.cid = request_id  # None: fill_from_context takes the current request's
    _fill_actor_emails(entries)
    append_many(entries)
    return entries


def entry_record(event: EventEntry) -> AuditEntry:
    return entries_record([event])[0]


def _fill_actor_emails(entries: list[AuditEntry]) -> None:
    from apps.accounts.selectors import user_display_for

    ids = {entry.actor_id for entry in entries if entry.actor_id is not None}
    if not ids:
        return
    displays = user_display_for(user_ids=ids)
    for entry in entries:
        display = displays.get(entry.actor_id) if entry.actor_id is not None else None
        if display is not None:
            entry.actor_email = display.email
