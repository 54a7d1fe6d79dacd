"""The monthly run: an issued invoice for every company that pays offline, for the period
that just ended.

Companies are taken in batches by id; each batch is one transaction with a fixed number
of queries (the usage, plots, tier history and credits of the whole batch are read at
once). Running it again, or after a crash halfway, creates nothing twice: a batch first
takes the year's invoice-number lock (so concurrent runs queue), then skips the
companies already invoiced for the period, and the database refuses a second invoice
for one company, period and source whatever happens.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apps.billing.calculator import calculate_invoice
from apps.billing.models import Invoice, InvoiceSource
from apps.billing.numbering import lock_sequence
from apps.billing.periods import Period
from apps.billing.services.inputs import available_credits, invoice_inputs
from apps.billing.services.invoicing import Draft, invoices_write
from apps.companies.selectors import offline_payers_batch, plans_by_code

DEFAULT_BATCH_SIZE = 500


@dataclass
class RunSummary:
    period: Period
    dry_run: bool
    companies_seen: int = 0
    invoiced: int = 0
    already_invoiced: int = 0
    not_billable: int = 0  # no billable day in the period (a trial, say)
    batches: int = 0
    total_invoiced: Decimal = Decimal("0.00")
    invoice_ids: list[int] = field(default_factory=list)


def _run_batch(
    accounts: list, period: Period, summary: RunSummary, plans: dict, dry_run: bool
) -> None:
    company_ids = [account.company_id for account in accounts]
    with transaction.atomic():
        if not dry_run:
            # Taken before reading what exists: a concurrent run waits here, then sees
            # this batch's invoices and skips them.
            lock_sequence(timezone.localdate().year)
        invoiced = set(
            Invoice.objects.filter(
                company_id__in=company_ids,
                period_start=period.start,
                source=InvoiceSource.INTERNAL,
            ).values_list("company_id", flat=True)
        )
        pending = [company_id for company_id in company_ids if company_id not in invoiced]
        credits = available_credits(pending, lock=not dry_run)
        inputs = invoice_inputs(
            company_ids=pending,
            period=period,
            credits=credits,
            plans=plans,
        )
        drafts = [
            Draft(
                company_id=company_id,
                tier=inputs[company_id].tiers[-1].tier,
                calculation=calculate_invoice(inputs[company_id]),
            )
            for company_id in pending
            if company_id in inputs
        ]
        summary.already_invoiced += len(invoiced)
        summary.not_billable += len(pending) - len(drafts)
        summary.invoiced += len(drafts)
        summary.total_invoiced += sum(
            (draft.calculation.total for draft in drafts), Decimal("0.00")
        )
        if not dry_run:
            written = invoices_write(drafts=drafts, period=period, credits=credits, issue=True)
            summary.invoice_ids += [invoice.pk for invoice in written]


def monthly_invoices_generate(
    *,
    period: Period,
    company_id: int | None = None,
    dry_run: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_batch: Callable[[RunSummary], None] | None = None,
) -> RunSummary:
    """Invoice the offline payers (all, or ``company_id``) for ``period``."""
    summary = RunSummary(period=period, dry_run=dry_run)
    plans = plans_by_code()
    after_id = 0
    while accounts := offline_payers_batch(
        after_id=after_id, limit=batch_size, created_before=period.ends_at, company_id=company_id
    ):
        after_id = accounts[-1].company_id
        summary.companies_seen += len(accounts)
        summary.batches += 1
        _run_batch(accounts, period, summary, plans, dry_run)
        if on_batch is not None:
            on_batch(summary)
    return summary
