"""Bring every card payer (or one) in line with its subscription at Stripe."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from apps.payments.sync import subscriptions_sync


class Command(BaseCommand):
    help = "Reconcile companies' card subscriptions with Stripe, printing what changed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", type=int, help="Only this company (its id).")
        parser.add_argument("--dry-run", action="store_true", help="Report, change nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        summary = subscriptions_sync(company_id=options["company"], dry_run=options["dry_run"])
        verb = "would change" if options["dry_run"] else "changed"
        for change in summary.changes:
            self.stdout.write(
                f"company {change.company_id} ({change.subscription_id}): "
                f"{change.before} -> {change.after}"
            )
        self.stdout.write(
            f"{summary.seen} subscriptions looked at, {len(summary.changes)} {verb}, "
            f"{summary.unknown} of no company we know."
        )
