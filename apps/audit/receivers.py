"""The trail's entries for the events the other apps publish, and for rows they change in
bulk. Each receiver describes its entry; ``recording`` writes it with the context's who,
where and correlation id."""

import logging
from decimal import Decimal
from typing import Any

from django.dispatch import receiver

from apps.accounts import signals as accounts
from apps.audit.context import current_actor
from apps.audit.models import AuditAction, AuditEntry
from apps.audit.recording import EventEntry, entries_record, entry_record
from apps.audit.tracking import MASK, excluded_fields, is_tracked, masked_fields
from apps.billing import signals as billing
from apps.billing.selectors import issued_invoices_for
from apps.companies import signals as companies
from apps.companies.selectors import memberships_for_user
from apps.core.request_id import current_request_id
from apps.core.row_changes import RowChange, rows_changed
from apps.marketers import signals as marketers
from apps.payments import signals as payments

logger = logging.getLogger(__name__)
EMAIL_MAX = 254


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


# --- sign-in ---------------------------------------------------------------------------


def _only_company(user_id: int) -> int | None:
    """The company a person's sign-in belongs to: theirs, if they act for exactly one."""
    companies_of = {m.company_id for m in memberships_for_user(user_id=user_id) if m.is_active}
    return companies_of.pop() if len(companies_of) == 1 else None


def _own_sign_in(action: int, user: Any) -> None:
    entry_record(
        EventEntry(
            action=action,
            company_id=_only_company(user.pk),
            model="accounts.User",
            object_id=user.pk,
            object_repr=user.email,
            actor_id=user.pk,
        )
    )


@receiver(accounts.user_logged_in)
def on_login(sender: Any, user: Any, **kwargs: Any) -> None:
    _own_sign_in(AuditAction.LOGIN, user)


@receiver(accounts.user_logged_out)
def on_logout(sender: Any, user: Any = None, **kwargs: Any) -> None:
    if user is not None:
        _own_sign_in(AuditAction.LOGOUT, user)


@receiver(accounts.user_login_failed)
def on_login_failed(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    # Only the address typed: Django has already scrubbed the password, and nothing else
    # of the credentials is kept.
    email = str(credentials.get("email") or credentials.get("username") or "")[:EMAIL_MAX]
    entry_record(
        EventEntry(
            action=AuditAction.LOGIN_FAILED,
            company_id=None,
            object_repr=email,
            data={"email": email},
        )
    )


# --- companies ---------------------------------------------------------------------------


@receiver(companies.subscription_changed)
def on_subscription_changed(
    sender: Any,
    company_id: int,
    old_tier: str,
    new_tier: str,
    old_status: str,
    new_status: str,
    **kwargs: Any,
) -> None:
    changes = {}
    if old_tier != new_tier:
        changes["subscription_tier"] = [old_tier, new_tier]
    if old_status != new_status:
        changes["subscription_status"] = [old_status, new_status]
    entry_record(
        EventEntry(
            action=AuditAction.SUBSCRIPTION_CHANGE,
            company_id=company_id,
            model="companies.Company",
            object_id=company_id,
            object_repr=f"{new_tier} / {new_status}",
            changes=changes,
        )
    )


@receiver(companies.company_suspended)
def on_company_suspended(sender: Any, company_id: int, reason: str, **kwargs: Any) -> None:
    entry_record(
        EventEntry(
            action=AuditAction.SUSPEND,
            company_id=company_id,
            model="companies.Company",
            object_id=company_id,
            object_repr="company suspended",
            data={"reason": reason},
        )
    )


@receiver(companies.company_reactivated)
def on_company_reactivated(sender: Any, company_id: int, **kwargs: Any) -> None:
    entry_record(
        EventEntry(
            action=AuditAction.REACTIVATE,
            company_id=company_id,
            model="companies.Company",
            object_id=company_id,
            object_repr="company reactivated",
        )
    )


@receiver(companies.company_settings_changed)
def on_settings_changed(sender: Any, company_id: int, fields: list[str], **kwargs: Any) -> None:
    entry_record(
        EventEntry(
            action=AuditAction.SETTINGS_CHANGE,
            company_id=company_id,
            model="companies.Company",
            object_id=company_id,
            object_repr="company details",
            data={"fields": sorted(fields)},
        )
    )


# --- marketers ---------------------------------------------------------------------------


def _affiliation_decision(action: int, affiliation_id: int, company_id: int, **extra: Any) -> None:
    decided_by_id = extra.pop("decided_by_id", None)
    entry_record(
        EventEntry(
            action=action,
            company_id=company_id,
            model="marketers.MarketerAffiliation",
            object_id=affiliation_id,
            object_repr=f"Marketer affiliation {affiliation_id}",
            actor_id=decided_by_id,
            data=extra,
        )
    )


@receiver(marketers.affiliation_approved)
def on_affiliation_approved(
    sender: Any,
    affiliation_id: int,
    company_id: int,
    marketer_user_id: int,
    commission_rate: Decimal,
    decided_by_id: int | None = None,
    **kwargs: Any,
) -> None:
    _affiliation_decision(
        AuditAction.APPROVE,
        affiliation_id,
        company_id,
        decided_by_id=decided_by_id,
        marketer_user_id=marketer_user_id,
        commission_rate=str(commission_rate),
    )


@receiver(marketers.affiliation_rejected)
def on_affiliation_rejected(
    sender: Any,
    affiliation_id: int,
    company_id: int,
    marketer_user_id: int,
    reason: str,
    decided_by_id: int | None = None,
    **kwargs: Any,
) -> None:
    _affiliation_decision(
        AuditAction.REJECT,
        affiliation_id,
        company_id,
        decided_by_id=decided_by_id,
        marketer_user_id=marketer_user_id,
        reason=reason,
    )


@receiver(marketers.marketer_suspended)
def on_marketer_suspended(
    sender: Any,
    affiliation_id: int,
    company_id: int,
    marketer_user_id: int,
    reason: str,
    decided_by_id: int | None = None,
    **kwargs: Any,
) -> None:
    _affiliation_decision(
        AuditAction.SUSPEND,
        affiliation_id,
        company_id,
        decided_by_id=decided_by_id,
        marketer_user_id=marketer_user_id,
        reason=reason,
    )


@receiver(marketers.marketer_reactivated)
def on_marketer_reactivated(
    sender: Any,
    affiliation_id: int,
    company_id: int,
    marketer_user_id: int,
    decided_by_id: int | None = None,
    **kwargs: Any,
) -> None:
    _affiliation_decision(
        AuditAction.REACTIVATE,
        affiliation_id,
        company_id,
        decided_by_id=decided_by_id,
        marketer_user_id=marketer_user_id,
    )


@receiver(marketers.commission_approved)
def on_commission_approved(
    sender: Any,
    commission_id: int,
    company_id: int,
    affiliation_id: int,
    amount: Decimal,
    approved_by_id: int | None = None,
    **kwargs: Any,
) -> None:
    entry_record(
        EventEntry(
            action=AuditAction.APPROVE,
            company_id=company_id,
            model="marketers.MarketerEarnedCommission",
            object_id=commission_id,
            object_repr=f"Commission {commission_id}",
            actor_id=approved_by_id,
            data={"affiliation_id": affiliation_id, "amount": _money(amount)},
        )
    )


# --- billing and payments ------------------------------------------------------------------


@receiver(billing.invoices_issued)
def on_invoices_issued(sender: Any, invoice_ids: list[int], **kwargs: Any) -> None:
    """A batch of the monthly run (or a raised invoice): recorded by a worker, so the run
    does not wait for it; recorded here if no worker can be asked."""
    from apps.audit.tasks import record_invoices_generated

    actor = current_actor()
    who = {
        "actor_id": actor.user.pk if actor.user is not None else None,
        "actor_kind": actor.kind,
        "request_id": current_request_id(),
    }
    try:
        record_invoices_generated.delay(invoice_ids=list(invoice_ids), **who)
    except Exception:
        logger.exception("Could not hand %s generated invoices to a worker", len(invoice_ids))
        invoices_generated_record(invoice_ids=invoice_ids, **who)


def invoices_generated_record(
    *, invoice_ids: list[int], actor_id: int | None, actor_kind: str, request_id: str | None
) -> None:
    """One invoice_generated entry per invoice, skipping those already recorded (a task run
    again after a failure writes nothing twice)."""
    recorded = set(
        AuditEntry.objects.filter(
            action=AuditAction.INVOICE_GENERATED,
            content_type__app_label="billing",
            content_type__model="invoice",
            object_pk__in=[str(invoice_id) for invoice_id in invoice_ids],
        ).values_list("object_pk", flat=True)
    )
    entries_record(
        (
            EventEntry(
                action=AuditAction.INVOICE_GENERATED,
                company_id=invoice.company_id,
                model="billing.Invoice",
                object_id=invoice.invoice_id,
                object_repr=invoice.number,
                actor_id=actor_id,
                actor_kind=actor_kind,
                data={
                    "number": invoice.number,
                    "total": _money(invoice.total),
                    "due_date": invoice.due_date.isoformat() if invoice.due_date else None,
                },
            )
            for invoice in issued_invoices_for(invoice_ids=invoice_ids)
            if str(invoice.invoice_id) not in recorded
        ),
        request_id=request_id,
    )


@receiver(billing.data_exported)
def on_data_exported(
    sender: Any,
    company_id: int,
    user_id: int | None,
    kind: str,
    object_id: int | None,
    **kwargs: Any,
) -> None:
    entry_record(
        EventEntry(
            action=AuditAction.DOWNLOAD if kind == "invoice_pdf" else AuditAction.EXPORT,
            company_id=company_id,
            model="billing.Invoice" if kind == "invoice_pdf" else "",
            object_id=object_id,
            object_repr=kind,
            actor_id=user_id,
            data={"kind": kind},
        )
    )


def _payment(
    company_id: int,
    payment_id: int,
    invoice_id: int | None,
    amount: Decimal,
    method: str,
    outcome: str,
    **extra: Any,
) -> None:
    entry_record(
        EventEntry(
            action=AuditAction.PAYMENT,
            company_id=company_id,
            model="payments.Payment",
            object_id=payment_id,
            object_repr=f"Payment {payment_id}: {outcome}",
            data={
                "outcome": outcome,
                "invoice_id": invoice_id,
                "amount": _money(amount),
                "method": method,
                **extra,
            },
        )
    )


@receiver(payments.payment_succeeded)
def on_payment_succeeded(
    sender: Any,
    payment_id: int,
    company_id: int,
    invoice_id: int,
    amount: Decimal,
    method: str,
    invoice_paid: bool,
    **kwargs: Any,
) -> None:
    _payment(
        company_id, payment_id, invoice_id, amount, method, "succeeded", invoice_paid=invoice_paid
    )


@receiver(payments.payment_failed)
def on_payment_failed(
    sender: Any,
    payment_id: int,
    company_id: int,
    invoice_id: int | None,
    amount: Decimal,
    method: str,
    reason: str,
    **kwargs: Any,
) -> None:
    _payment(company_id, payment_id, invoice_id, amount, method, "failed", reason=reason)


# --- rows changed in bulk --------------------------------------------------------------------


def _row_changes(label: str, row: RowChange) -> dict[str, list[Any]]:
    masked, excluded = masked_fields(label), excluded_fields(label)
    return {
        name: [MASK, MASK] if name in masked else [old, new]
        for name, (old, new) in row.changes.items()
        if name not in excluded
    }


@receiver(rows_changed)
def on_rows_changed(
    sender: Any, model: Any, action: str, rows: list[RowChange], **kwargs: Any
) -> None:
    label = model._meta.label
    if not is_tracked(label):
        return
    verbose = model._meta.verbose_name.capitalize()
    entries_record(
        EventEntry(
            action=AuditAction.DELETE if action == "delete" else AuditAction.UPDATE,
            company_id=row.company_id,
            model=label,
            object_id=row.object_id,
            object_repr=row.label or f"{verbose} {row.object_id}",
            changes=_row_changes(label, row) if action != "delete" else None,
            data={"bulk": True},
        )
        for row in rows
    )
