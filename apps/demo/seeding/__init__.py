"""Seeding the demo data in steps, each done once.

A step makes one thing (a company with its admin, a client, a marketer's affiliation, an
estate with its plots, a sale) in its own transaction, which also records it
(``SeedStep``). So:

- a recorded step is never done again: what a person changed since (a renamed estate, a
  suspended marketer, a deleted client, a new price) stays as they left it;
- a step that fails rolls back alone and is reported; steps that need what it would have
  made are skipped and reported; the next run tries both again, so a seeding cut short is
  completed by the next one;
- nothing the data holds stops the seeding (or `make run`): only a bug in it would.

Built only on the other apps' services and selectors, like any other client of them.
"""

from apps.accounts.selectors import user_id_for_email
from apps.companies.selectors import memberships_for_user
from apps.core.roles import Role
from apps.demo.companies import DEMO_COMPANIES, DemoCompany
from apps.demo.models import SeedStep
from apps.demo.seeding.runner import COMPANY, SeedOutcome, run_steps
from apps.demo.seeding.steps import billing_staff_step, company_steps

__all__ = ["SeedOutcome", "demo_seed"]

STAFF_KEY = "estateapp"  # our own people, not a demo company's


def demo_seed() -> list[SeedOutcome]:
    """Do every demo step not done yet: one outcome per demo company, then our staff's."""
    outcomes = [_seed_company(demo) for demo in DEMO_COMPANIES]
    outcomes.append(run_steps(STAFF_KEY, "Billing staff", [billing_staff_step()]))
    return outcomes


def _seed_company(demo: DemoCompany) -> SeedOutcome:
    steps = company_steps(demo)
    if not SeedStep.objects.filter(demo=demo.domain).exists():
        company_id = _company_seeded_before_records(demo)
        if company_id is not None:
            # Seeded by a version that kept no records, all in one transaction: it is whole.
            SeedStep.objects.bulk_create(
                [
                    SeedStep(
                        demo=demo.domain,
                        step=step.key,
                        object_id=company_id if step.key == COMPANY else None,
                    )
                    for step in steps
                ],
                ignore_conflicts=True,
            )
            return SeedOutcome(
                demo.domain, demo.name, company_id=company_id, done_before=len(steps)
            )
    return run_steps(demo.domain, demo.name, steps)


def _company_seeded_before_records(demo: DemoCompany) -> int | None:
    admin_id = user_id_for_email(email=demo.admin_email)
    if admin_id is None:
        return None
    for membership in memberships_for_user(user_id=admin_id):
        if membership.role == Role.COMPANY_ADMIN:
            return membership.company_id
    return None
