"""The audit trail: one append-only, hash-chained table for model diffs and domain events.

Entries are django-auditlog's (``AUDITLOG_LOGENTRY_MODEL``) with what an incident needs
besides: the company, the kind of actor, the user agent, and a place in the company's
hash chain. Nothing updates or deletes an entry through the ORM; on PostgreSQL a trigger
refuses it too, except inside the retention command.
"""

from typing import Any, NoReturn

import pgtrigger
from auditlog.models import AbstractLogEntry, LogEntryManager
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class AuditAction(models.IntegerChoices):
    # auditlog's own four keep its numbers.
    CREATE = 0, "create"
    UPDATE = 1, "update"
    DELETE = 2, "delete"
    ACCESS = 3, "access"
    LOGIN = 10, "login"
    LOGOUT = 11, "logout"
    LOGIN_FAILED = 12, "login_failed"
    DOWNLOAD = 13, "download"
    EXPORT = 14, "export"
    SETTINGS_CHANGE = 15, "settings_change"
    APPROVE = 16, "approve"
    REJECT = 17, "reject"
    SUSPEND = 18, "suspend"
    REACTIVATE = 19, "reactivate"
    SUBSCRIPTION_CHANGE = 20, "subscription_change"
    PAYMENT = 21, "payment"
    INVOICE_GENERATED = 22, "invoice_generated"
    API_CALL_FAILED = 23, "api_call_failed"

    @classmethod
    def by_name(cls) -> dict[str, int]:
        return {label: value for value, label in cls.choices}


class ActorKind(models.TextChoices):
    USER = "user", "User"
    API_KEY = "api_key", "API key"
    SYSTEM = "system", "System"
    STRIPE = "stripe", "Stripe"
    ANONYMOUS = "anonymous", "Anonymous"


class AppendOnly(Exception):
    """Raised by any attempt to change or delete an audit entry through the ORM."""


def _refuse(*_: Any, **__: Any) -> NoReturn:
    raise AppendOnly("Audit entries are append-only.")


class AuditEntryQuerySet(models.QuerySet):
    update = _refuse
    delete = _refuse
    bulk_update = _refuse
    update_or_create = _refuse

    def for_company(self, company_id: int) -> "AuditEntryQuerySet":
        return self.filter(company_id=company_id)


class AuditEntryManager(LogEntryManager.from_queryset(AuditEntryQuerySet)):
    def log_create(self, instance: models.Model, force_log: bool = False, **kwargs: Any) -> Any:
        """auditlog's entry for a model change, with the row's company, described without
        calling its str() when that would show masked data or query (see tracking)."""
        from apps.audit.recording import company_of
        from apps.audit.tracking import describe

        if kwargs.get("changes") is None and not force_log:
            return None
        pk = self._get_pk_value(instance)
        kwargs.setdefault("content_type", ContentType.objects.get_for_model(instance))
        kwargs.setdefault("object_pk", pk)
        kwargs.setdefault("object_repr", describe(instance))
        kwargs.setdefault("serialized_data", self._get_serialized_data_or_none(instance))
        if isinstance(pk, int):
            kwargs.setdefault("object_id", pk)
        kwargs.setdefault("company_id", company_of(instance))
        return self.create(**kwargs)


def _loose_reference(to: str) -> models.ForeignKey:
    """A reference kept as an id only: no constraint, no index of its own (the composite
    indexes below serve the look-ups), and nothing done to the entry when the row goes."""
    return models.ForeignKey(
        to,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
    )


class AuditEntry(AbstractLogEntry):
    # Overridden so that deleting a user, a content type or a company never has to touch
    # the trail (which would refuse it): the ids stay, without a database constraint.
    # auditlog's single-column indexes give way to the composite ones below (each index
    # is paid on every insert, and every change inserts an entry).
    content_type = _loose_reference("contenttypes.ContentType")
    object_pk = models.CharField(max_length=255, blank=True, default="")
    object_id = models.BigIntegerField(null=True, blank=True)
    action = models.PositiveSmallIntegerField(choices=AuditAction.choices)
    actor = _loose_reference(settings.AUTH_USER_MODEL)
    cid = models.CharField("request id", max_length=255, null=True, blank=True)  # noqa: DJ001 (as auditlog)
    timestamp = models.DateTimeField(default=timezone.now)
    company = _loose_reference("companies.Company")
    actor_kind = models.CharField(max_length=16, choices=ActorKind.choices)
    user_agent = models.CharField(max_length=512, blank=True, default="")
    # The hash chain: one per company (chain = company id) and one for the platform's own
    # entries (chain 0), numbered from 1 without gaps.
    chain = models.BigIntegerField()
    seq = models.BigIntegerField()
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    objects = AuditEntryManager()

    class Meta:
        verbose_name = "audit entry"
        verbose_name_plural = "audit entries"
        ordering = ["-timestamp", "-id"]
        get_latest_by = "timestamp"
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_entry_chain_seq"),
        ]
        indexes = [
            models.Index(fields=["company", "-timestamp", "-id"], name="audit_company_time"),
            models.Index(fields=["actor", "-timestamp", "-id"], name="audit_actor_time"),
            models.Index(fields=["content_type", "object_pk"], name="audit_object"),
            models.Index(fields=["-timestamp", "-id"], name="audit_time"),
        ]
        triggers = [
            pgtrigger.Protect(
                name="append_only",
                operation=pgtrigger.Update | pgtrigger.Delete,
            ),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Append the entry to its company's chain; an entry once written never changes."""
        if not self._state.adding:
            _refuse()
        from apps.audit.chain import append

        append(self, lambda: super(AuditEntry, self).save(*args, **kwargs))

    delete = _refuse

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}".strip()


class AuditChainHead(models.Model):
    """The end of one chain: its last number and hash, locked while an entry is appended,
    and the anchor retention left (the last deleted entry's number and hash)."""

    chain = models.BigIntegerField(primary_key=True)
    seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")
    # The hash before last_hash: what the last entry links to (written with it, in one go).
    prev_hash = models.CharField(max_length=64, default="")
    anchor_seq = models.BigIntegerField(default=0)
    anchor_hash = models.CharField(max_length=64, default="")
    anchored_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"chain {self.chain} at {self.seq}"
