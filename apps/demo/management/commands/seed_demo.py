"""Demo data: three companies, one per tier, each with estates, plots, clients, marketers,
sales and commissions, and known logins printed at the end.

Safe to run again and again (`make run` does, every time): each demo company is seeded
once, step by step (apps.demo.seeding), what a person changed since is left alone, and
whatever cannot be done is reported while the command still succeeds. Refused in
production, where known passwords would be a hole.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from apps.accounts.selectors import user_id_for_email
from apps.companies.selectors import company_limits, company_name
from apps.demo.companies import BILLING_STAFF_EMAIL, DEMO_COMPANIES, DEMO_PASSWORD, DemoCompany
from apps.demo.seeding import SeedOutcome, demo_seed
from apps.estates import selectors as estate_selectors
from apps.marketers import selectors as marketer_selectors


class Command(BaseCommand):
    help = (
        "Seed the demo data: each demo company once, leaving what was changed since alone; "
        "report what cannot be done, and print the demo logins."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.DJANGO_ENV == "production":
            raise CommandError("seed_demo creates known passwords and is refused in production.")
        # Demo addresses are not real: the emails seeding would send (verification links,
        # invitations) are dropped.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            outcomes = demo_seed()
        self._report(outcomes)
        self._print_logins({outcome.key: outcome for outcome in outcomes})

    def _report(self, outcomes: list[SeedOutcome]) -> None:
        self.stdout.write("Demo data:")
        for outcome in outcomes:
            self.stdout.write(f"  {outcome.label}: {outcome.summary}")
        problems = [
            f"  {outcome.label}: {problem}" for outcome in outcomes for problem in outcome.problems
        ]
        if problems:
            self.stderr.write(
                self.style.WARNING(
                    f"seed_demo: {len(problems)} demo data steps could not be done; the rest "
                    "is ready (the next run tries these again):"
                )
            )
            for line in problems:
                self.stderr.write(line)

    def _print_logins(self, outcomes: dict[str, SeedOutcome]) -> None:
        self.stdout.write(self.style.SUCCESS("Demo logins:"))
        self.stdout.write(f"  password for every login below (unless changed): {DEMO_PASSWORD}")
        for demo in DEMO_COMPANIES:
            company_id = outcomes[demo.domain].company_id
            name = None if company_id is None else company_name(company_id=company_id)
            if company_id is None or name is None:
                self.stdout.write(f"  {demo.name}: not there")
                continue
            limits = company_limits(company_id=company_id)
            self.stdout.write(f"  {name} ({limits.tier}, {limits.status}):")
            self.stdout.write(f"    {demo.admin_email:<34} company admin")
            marketer = demo.person("marketer", 1)
            self.stdout.write(f"    {marketer:<34} {_marketer_role(demo, company_id)}")
            client = demo.person("client", 1)
            self.stdout.write(f"    {client:<34} {_client_role(client, company_id)}")
        self.stdout.write(f"  {BILLING_STAFF_EMAIL:<36} billing staff, Django admin at /admin/")


def _marketer_role(demo: DemoCompany, company_id: int) -> str:
    user_id = user_id_for_email(email=demo.person("marketer", 1))
    ids = (
        []
        if user_id is None
        else marketer_selectors.affiliation_ids_for_user(company_id=company_id, user_id=user_id)
    )
    info = (
        marketer_selectors.affiliation_info(company_id=company_id, affiliation_id=ids[0])
        if ids
        else None
    )
    if info is None:
        return "marketer (not affiliated)"
    if info.is_approved and info.commission_rate is not None:
        return f"marketer (approved, {format(info.commission_rate.normalize(), 'f')} %)"
    return f"marketer ({info.status})"


def _client_role(email: str, company_id: int) -> str:
    if estate_selectors.client_id_for_email(company_id=company_id, email=email) is None:
        return "client (no longer the company's client)"
    return "client"
