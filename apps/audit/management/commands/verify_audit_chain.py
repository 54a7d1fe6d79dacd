from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.audit.chain import chain_of, chain_verify, chains_present


class Command(BaseCommand):
    help = "Check the audit trail's hash chains; report the first broken link of each."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", type=int, help="Only this company's chain.")
        parser.add_argument(
            "--platform", action="store_true", help="Only the platform's own chain."
        )

    def handle(self, *args: Any, company: int | None, platform: bool, **options: Any) -> None:
        if company is not None:
            chains = [chain_of(company)]
        elif platform:
            chains = [chain_of(None)]
        else:
            chains = chains_present()
        broken = 0
        for chain in chains:
            report = chain_verify(chain=chain)
            name = "platform" if chain == 0 else f"company {chain}"
            if report.ok:
                self.stdout.write(f"{name}: OK ({report.checked} entries)")
            else:
                broken += 1
                self.stdout.write(
                    f"{name}: BROKEN at entry {report.broken_seq}"
                    + (f" (id {report.broken_entry_id})" if report.broken_entry_id else "")
                    + f": {report.problem}; {report.checked} entries before it are intact"
                )
        if broken:
            raise CommandError(f"{broken} of {len(chains)} chains are broken.")
