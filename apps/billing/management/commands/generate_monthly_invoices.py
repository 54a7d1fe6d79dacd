"""Invoice every company that pays offline for a month (by default the one that just
ended), printing progress on a terminal and a summary at the end.

Safe to run again, or after a crash halfway: a company already invoiced for the period
is skipped.
"""

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from apps.billing.periods import Period
from apps.billing.services import RunSummary, monthly_invoices_generate
from apps.core.money import format_naira


def _period(value: str | None) -> Period:
    if value is None:
        return Period.previous_month(timezone.localdate())
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise CommandError("--period is a month as YYYY-MM, e.g. 2026-10.")
    period = Period.month(int(value[:4]), int(value[5:]))
    if period.end >= timezone.localdate():
        raise CommandError(f"{value} has not ended yet: invoices are for past months.")
    return period


class Command(BaseCommand):
    help = "Invoice the companies that pay offline for a month that has ended."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", help="The month to invoice, YYYY-MM (default: last).")
        parser.add_argument("--company", type=int, help="Only this company (its id).")
        parser.add_argument("--dry-run", action="store_true", help="Compute, write nothing.")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be positive.")
        period = _period(options["period"])
        on_terminal = self.stdout.isatty()

        def progress(summary: RunSummary) -> None:
            if on_terminal:
                self.stdout.write(
                    f"\r  {summary.companies_seen:,} companies looked at, "
                    f"{summary.invoiced:,} invoiced",
                    ending="",
                )
                self.stdout.flush()

        summary = monthly_invoices_generate(
            period=period,
            company_id=options["company"],
            dry_run=options["dry_run"],
            batch_size=options["batch_size"],
            on_batch=progress,
        )
        if on_terminal:
            self.stdout.write("")
        verb = "Would invoice" if summary.dry_run else "Invoiced"
        self.stdout.write(
            f"{verb} {summary.invoiced} companies for {period.start:%B %Y} "
            f"({format_naira(summary.total_invoiced)} with VAT); "
            f"{summary.already_invoiced} already invoiced, {summary.not_billable} not billable "
            f"(no paid day in the period), {summary.companies_seen} looked at in "
            f"{summary.batches} batches."
        )
