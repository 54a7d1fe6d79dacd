"""Approve eligible pending commissions in batches and print a summary.

Eligible: pending, earned through an affiliation that is still approved, and older than
the holding period (COMMISSION_HOLD_DAYS, default 7: the window in which a sale is
usually cancelled). Safe to run again or alongside itself: rows are locked and skipped.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from apps.core.money import format_naira
from apps.marketers.services import commissions_process


class Command(BaseCommand):
    help = "Approve eligible pending commissions in batches."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--min-age-days",
            type=int,
            default=settings.COMMISSION_HOLD_DAYS,
            help="Only commissions earned at least this many days ago.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1 or options["min_age_days"] < 0:
            self.stderr.write("--batch-size must be positive and --min-age-days not negative.")
            raise SystemExit(2)
        summary = commissions_process(
            min_age=timedelta(days=options["min_age_days"]), batch_size=options["batch_size"]
        )
        self.stdout.write(
            f"Approved {summary.approved} commissions "
            f"({format_naira(summary.total_approved_amount)}) in {summary.batches} batches; "
            f"{summary.still_pending} still pending."
        )
