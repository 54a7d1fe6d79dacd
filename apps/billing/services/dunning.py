"""Dunning: issued invoices past their due date become overdue (the company past due);
after BILLING_GRACE_DAYS overdue the company is suspended; paying every overdue invoice
brings it back. Billing only undoes what billing did: a company suspended for another
reason stays suspended."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.billing import signals
from apps.billing.models import Invoice, InvoiceStatus
from apps.companies.selectors import SubscriptionStatus, billing_account
from apps.companies.services import company_change_subscription
from apps.core.events import publish
from apps.core.row_changes import RowChange, rows_changed_send

# The suspension (and past-due) reason billing gives, and the only one it lifts.
UNPAID_INVOICES = "unpaid_invoices"
BATCH = 500


@dataclass(frozen=True, slots=True)
class DunningSummary:
    overdue: int
    suspended: int


def _mark_overdue_batch(today: date) -> list[Invoice]:
    with transaction.atomic():
        invoices = list(
            Invoice.objects.select_for_update(skip_locked=True)
            .filter(status=InvoiceStatus.ISSUED, due_date__lt=today)
            .order_by("pk")[:BATCH]
        )
        if not invoices:
            return []
        Invoice.objects.filter(pk__in=[invoice.pk for invoice in invoices]).update(
            status=InvoiceStatus.OVERDUE, updated_at=timezone.now()
        )
        rows_changed_send(
            model=Invoice,
            action="update",
            rows=[
                RowChange(
                    object_id=invoice.pk,
                    company_id=invoice.company_id,
                    changes={"status": (InvoiceStatus.ISSUED.value, InvoiceStatus.OVERDUE.value)},
                    label=invoice.number or "",
                )
                for invoice in invoices
            ],
        )
        for invoice in invoices:
            publish(
                signals.invoice_overdue,
                sender=Invoice,
                invoice_id=invoice.pk,
                company_id=invoice.company_id,
                number=invoice.number,
                balance=invoice.balance,
                due_date=invoice.due_date,
            )
        for company_id in {invoice.company_id for invoice in invoices}:
            _mark_past_due(company_id)
        return invoices


def _mark_past_due(company_id: int) -> None:
    if billing_account(company_id=company_id).status == SubscriptionStatus.ACTIVE:
        company_change_subscription(
            company_id=company_id, status=SubscriptionStatus.PAST_DUE, reason=UNPAID_INVOICES
        )


def dunning_run(*, today: date | None = None) -> DunningSummary:
    """The daily dunning pass; running it again the same day changes nothing."""
    today = today or timezone.localdate()
    overdue = 0
    while batch := _mark_overdue_batch(today):
        overdue += len(batch)
    cutoff = today - timedelta(days=settings.BILLING_GRACE_DAYS)
    late_companies = (
        Invoice.objects.filter(status=InvoiceStatus.OVERDUE, due_date__lte=cutoff)
        .values_list("company_id", flat=True)
        .distinct()
    )
    suspended = 0
    for company_id in late_companies:
        with transaction.atomic():
            if billing_account(company_id=company_id).status in (
                SubscriptionStatus.ACTIVE,
                SubscriptionStatus.PAST_DUE,
            ):
                company_change_subscription(
                    company_id=company_id,
                    status=SubscriptionStatus.SUSPENDED,
                    reason=UNPAID_INVOICES,
                )
                suspended += 1
    return DunningSummary(overdue=overdue, suspended=suspended)


def company_settle_if_paid_up(*, company_id: int) -> None:
    """Reactivate a company billing suspended (or marked past due) once no overdue
    invoice is left. Call in the transaction that recorded the payment."""
    if Invoice.objects.filter(company_id=company_id, status=InvoiceStatus.OVERDUE).exists():
        return
    account = billing_account(company_id=company_id)
    if account.status == SubscriptionStatus.PAST_DUE or (
        account.status == SubscriptionStatus.SUSPENDED
        and account.suspension_reason == UNPAID_INVOICES
    ):
        company_change_subscription(company_id=company_id, status=SubscriptionStatus.ACTIVE)
