"""Which models' changes the trail records (through django-auditlog's registry), which of
their fields it leaves out, and which it masks.

Models are named by label and looked up when the app is ready, so audit imports no other
app's models. Masked fields show that they changed, never their values: the mask is the
same for every value (auditlog's default masks only half of the text).
"""

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from auditlog.receivers import _create_log_entry, check_disable, log_update
from auditlog.registry import auditlog
from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models.signals import post_init, post_save, pre_save

from apps.audit.models import AuditAction

MASK = "[masked]"
# Bookkeeping columns: they change with every save and say nothing about what happened.
_ALWAYS_EXCLUDED = ("updated_at",)


@dataclass(frozen=True, slots=True)
class Tracked:
    label: str
    exclude: tuple[str, ...] = ()
    mask: tuple[str, ...] = ()
    # The entry's description of a row, for models whose own str() shows masked data.
    describe: Callable[[Any], str] | None = None


def _by_id(instance: Any) -> str:
    return f"{instance._meta.verbose_name.capitalize()} {instance.pk}"


TRACKED = (
    Tracked(
        "companies.Company",
        exclude=("gateway_state_at",),
        mask=("phone", "stripe_customer_id", "stripe_subscription_id"),
    ),
    Tracked("companies.Plan"),
    Tracked("companies.Membership", mask=("first_name", "last_name")),
    # last_used_at changes on every call made with the key: not a change anyone made.
    Tracked("companies.ApiKey", exclude=("last_used_at",), mask=("key_hash",)),
    Tracked("estates.Estate"),
    Tracked("estates.Plot"),
    Tracked("estates.PlotPurchase"),
    Tracked("marketers.MarketerAffiliation", describe=_by_id),
    Tracked("marketers.MarketerEarnedCommission", mask=("payment_reference",), describe=_by_id),
    Tracked("billing.Invoice"),
    Tracked("billing.Credit"),
    Tracked("payments.Payment", mask=("reference", "gateway_charge_id"), describe=_by_id),
)
_BY_LABEL = {tracked.label: tracked for tracked in TRACKED}


def mask(value: str) -> str:
    """auditlog's mask callable (AUDITLOG_MASK_CALLABLE): nothing of the value shows."""
    return "" if value in ("", "None") else MASK


def masked_fields(label: str) -> tuple[str, ...]:
    tracked = _BY_LABEL.get(label)
    return tracked.mask if tracked else ()


def excluded_fields(label: str) -> tuple[str, ...]:
    tracked = _BY_LABEL.get(label)
    return (*_ALWAYS_EXCLUDED, *tracked.exclude) if tracked else _ALWAYS_EXCLUDED


def describe(instance: models.Model) -> str:
    tracked = _BY_LABEL.get(instance._meta.label)
    if tracked is not None and tracked.describe is not None:
        return tracked.describe(instance)
    try:
        return str(instance)
    except Exception:  # a half-built row must not stop its own save; its id is enough
        return _by_id(instance)


def register_tracked_models() -> None:
    # auditlog's update receiver reads the row again to know its old values; ours takes
    # them from the instance as it was loaded or last saved (a query less on every
    # change), and falls back to auditlog's where it cannot.
    auditlog._signals[pre_save] = log_update_from_snapshot
    for tracked in TRACKED:
        model = apps.get_model(tracked.label)
        auditlog.register(
            model,
            exclude_fields=list(excluded_fields(tracked.label)),
            mask_fields=list(tracked.mask),
        )
        post_init.connect(_remember, sender=model, dispatch_uid=f"audit-init-{model}")
        post_save.connect(_remember, sender=model, dispatch_uid=f"audit-saved-{model}")


# --- the old values of a change, without reading the row again ------------------------------

_SNAPSHOT = "_audit_snapshot"


def _snapshot(instance: models.Model) -> dict[str, Any] | None:
    values = instance.__dict__
    names = [field.attname for field in instance._meta.concrete_fields]
    if any(name not in values for name in names):
        return None  # deferred fields (.only()): unknown, so no snapshot
    return {name: values[name] for name in names}


def _remember(sender: Any, instance: models.Model, **kwargs: Any) -> None:
    """The row's values as loaded (post_init) or last saved (post_save)."""
    instance.__dict__[_SNAPSHOT] = _snapshot(instance)


@check_disable
def log_update_from_snapshot(sender: Any, instance: models.Model, **kwargs: Any) -> None:
    """auditlog's update entry, its old values taken from the snapshot when there is one."""
    if instance._state.adding or instance.pk is None:
        return
    snapshot = instance.__dict__.get(_SNAPSHOT)
    if snapshot is None or snapshot.get(instance._meta.pk.attname) != instance.pk:
        log_update(sender, instance=instance, **kwargs)
        return
    old = copy.copy(instance)
    old.__dict__.update(snapshot)
    _create_log_entry(
        action=AuditAction.UPDATE,
        instance=instance,
        sender=sender,
        diff_old=old,
        diff_new=instance,
        fields_to_check=kwargs.get("update_fields"),
        use_json_for_changes=settings.AUDITLOG_STORE_JSON_CHANGES,
    )


def is_tracked(label: str) -> bool:
    return label in _BY_LABEL
