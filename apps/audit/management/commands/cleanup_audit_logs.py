from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from apps.audit.services import audit_retention_apply


class Command(BaseCommand):
    help = "Delete audit entries older than each company's tier keeps them, in batches."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count, delete nothing.")
        parser.add_argument("--batch-size", type=int, default=5000)

    def handle(self, *args: Any, dry_run: bool, batch_size: int, **options: Any) -> None:
        results = audit_retention_apply(dry_run=dry_run, batch_size=batch_size)
        verb = "would delete" if dry_run else "deleted"
        for result in results:
            if result.due:
                count = result.due if dry_run else result.deleted
                self.stdout.write(
                    f"chain {result.chain} ({result.tier}): {verb} {count} entries "
                    f"older than {result.cutoff:%Y-%m-%d %H:%M}"
                )
        total = sum(result.due if dry_run else result.deleted for result in results)
        self.stdout.write(f"{verb} {total} entries in all ({len(results)} chains checked)")
