"""Demo data: three companies, one per tier, each with a known admin login.

Idempotent: running it again changes nothing and prints the same logins. Refused in
production, where known passwords would be a hole.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from apps.accounts.selectors import user_id_for_email
from apps.accounts.services import user_create, user_grant_billing_staff
from apps.companies.models import Company, Membership, Plan, SubscriptionStatus, Tier
from apps.core.roles import Role

DEMO_PASSWORD = "EstateDemo!2026"  # noqa: S105 - a published demo login, refused in production
BILLING_STAFF_EMAIL = "billing@estateapp.demo"


@dataclass(frozen=True)
class DemoCompany:
    slug: str
    name: str
    tier: str
    status: str
    admin_email: str
    admin_name: tuple[str, str]


DEMO_COMPANIES = (
    DemoCompany(
        "lekki-gardens",
        "Lekki Gardens Realty",
        Tier.STARTER,
        SubscriptionStatus.TRIALING,
        "admin@lekki-gardens.demo",
        ("Adaeze", "Okafor"),
    ),
    DemoCompany(
        "abuja-homes",
        "Abuja Homes Ltd",
        Tier.PROFESSIONAL,
        SubscriptionStatus.ACTIVE,
        "admin@abuja-homes.demo",
        ("Musa", "Bello"),
    ),
    DemoCompany(
        "prime-estates",
        "Prime Estates Nigeria",
        Tier.ENTERPRISE,
        SubscriptionStatus.ACTIVE,
        "admin@prime-estates.demo",
        ("Tunde", "Adeyemi"),
    ),
)


class Command(BaseCommand):
    help = "Create idempotent demo data and print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.DJANGO_ENV == "production":
            raise CommandError("seed_demo creates known passwords and is refused in production.")
        with transaction.atomic():
            for demo in DEMO_COMPANIES:
                self._seed_company(demo)
            staff_id = self._user(BILLING_STAFF_EMAIL, ("Bola", "Staff"))
            user_grant_billing_staff(user_id=staff_id)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Logins (password for all):"))
        self.stdout.write(f"  password: {DEMO_PASSWORD}")
        for demo in DEMO_COMPANIES:
            self.stdout.write(f"  {demo.admin_email:<28} admin of {demo.name} ({demo.tier})")
        self.stdout.write(f"  {BILLING_STAFF_EMAIL:<28} billing staff, Django admin at /admin/")

    @staticmethod
    def _user(email: str, name: tuple[str, str]) -> int:
        existing = user_id_for_email(email=email)
        if existing is not None:
            return existing
        return user_create(
            email=email, password=DEMO_PASSWORD, first_name=name[0], last_name=name[1]
        ).pk

    def _seed_company(self, demo: DemoCompany) -> None:
        plan = Plan.objects.get(code=demo.tier)
        now = timezone.now()
        company, _ = Company.objects.get_or_create(
            slug=demo.slug,
            defaults={
                "name": demo.name,
                "billing_email": demo.admin_email.replace("admin@", "billing@"),
                "subscription_tier": demo.tier,
                "subscription_status": demo.status,
                "trial_ends_at": now + timedelta(days=settings.TRIAL_DAYS)
                if demo.status == SubscriptionStatus.TRIALING
                else None,
                "max_plots": plan.included_plots,
                "max_agents": plan.included_agents,
                "max_api_calls_daily": plan.daily_api_calls,
            },
        )
        admin_id = self._user(demo.admin_email, demo.admin_name)
        Membership.objects.get_or_create(
            company=company, user_id=admin_id, defaults={"role": Role.COMPANY_ADMIN}
        )
