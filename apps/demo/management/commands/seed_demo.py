"""Demo data: three companies, one per tier, each with estates, plots, clients, marketers,
sales and commissions, and known logins printed at the end.

Idempotent: a second run finds everything in place and changes nothing. Built only on the
apps' services and selectors, like any other client of them. Refused in production, where
known passwords would be a hole.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from apps.accounts.selectors import user_id_for_email
from apps.accounts.services import user_create, user_grant_billing_staff, user_mark_email_verified
from apps.companies.selectors import memberships_for_user
from apps.companies.services import company_change_subscription, company_signup
from apps.estates import selectors as estate_selectors
from apps.estates import services as estate_services
from apps.marketers import selectors as marketer_selectors
from apps.marketers import services as marketer_services

DEMO_PASSWORD = "EstateDemo!2026"  # noqa: S105 - a published demo login, refused in production
BILLING_STAFF_EMAIL = "billing@estateapp.demo"


@dataclass(frozen=True)
class DemoCompany:
    domain: str
    name: str
    tier: str
    status: str
    admin_name: tuple[str, str]
    estates: tuple[tuple[str, str, str, str], ...]  # name, location, state, LGA
    plot_price: Decimal

    @property
    def admin_email(self) -> str:
        return f"admin@{self.domain}.demo"

    def person(self, role: str, number: int) -> str:
        return f"{role}{number}@{self.domain}.demo"


DEMO_COMPANIES = (
    DemoCompany(
        "lekki-gardens",
        "Lekki Gardens Realty",
        "starter",
        "trialing",
        ("Adaeze", "Okafor"),
        (("Lekki Pearl Estate", "Lekki-Epe Expressway", "Lagos", "Eti-Osa"),),
        Decimal("4500000.00"),
    ),
    DemoCompany(
        "abuja-homes",
        "Abuja Homes Ltd",
        "professional",
        "active",
        ("Musa", "Bello"),
        (
            ("Guzape Hills", "Guzape District", "FCT", "AMAC"),
            ("Lugbe Court", "Airport Road, Lugbe", "FCT", "AMAC"),
        ),
        Decimal("12000000.00"),
    ),
    DemoCompany(
        "prime-estates",
        "Prime Estates Nigeria",
        "enterprise",
        "active",
        ("Tunde", "Adeyemi"),
        (
            ("Ibeju Palms", "Ibeju-Lekki", "Lagos", "Ibeju-Lekki"),
            ("Epe Meadows", "Epe", "Lagos", "Epe"),
            ("Trans-Amadi Gardens", "Trans-Amadi", "Rivers", "Obio-Akpor"),
        ),
        Decimal("8500000.00"),
    ),
)
PLOTS_PER_ESTATE = 6
CLIENTS_PER_COMPANY = 3
COMMISSION_RATE = Decimal("5.00")


class Command(BaseCommand):
    help = "Create idempotent demo data and print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.DJANGO_ENV == "production":
            raise CommandError("seed_demo creates known passwords and is refused in production.")
        # Demo addresses are not real: the emails seeding would send (verification links,
        # invitations) are dropped.
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
            transaction.atomic(),
        ):
            for demo in DEMO_COMPANIES:
                company_id = self._company(demo)
                client_ids = self._clients(demo, company_id)
                affiliation_id = self._marketers(demo, company_id)
                self._estates(demo, company_id, client_ids, affiliation_id)
            staff_id = self._user(BILLING_STAFF_EMAIL, ("Bola", "Staff"))
            user_grant_billing_staff(user_id=staff_id)
        self._print_logins()

    # --- people ------------------------------------------------------------------------------

    @staticmethod
    def _user(email: str, name: tuple[str, str]) -> int:
        existing = user_id_for_email(email=email)
        if existing is not None:
            return existing
        return user_create(
            email=email,
            password=DEMO_PASSWORD,
            first_name=name[0],
            last_name=name[1],
            email_verified=True,
        )

    @staticmethod
    def _company(demo: DemoCompany) -> int:
        admin_id = user_id_for_email(email=demo.admin_email)
        if admin_id is not None:
            return memberships_for_user(user_id=admin_id)[0].company_id
        signup = company_signup(
            company_name=demo.name,
            email=demo.admin_email,
            password=DEMO_PASSWORD,
            first_name=demo.admin_name[0],
            last_name=demo.admin_name[1],
        )
        if signup.company_id is None or signup.user_id is None:
            raise CommandError(f"{demo.admin_email} has an account but no company.")
        user_mark_email_verified(user_id=signup.user_id)
        if (demo.tier, demo.status) != ("starter", "trialing"):
            company_change_subscription(
                company_id=signup.company_id, tier=demo.tier, status=demo.status
            )
        return signup.company_id

    @classmethod
    def _clients(cls, demo: DemoCompany, company_id: int) -> list[int]:
        client_ids = []
        for number in range(1, CLIENTS_PER_COMPANY + 1):
            email = demo.person("client", number)
            client_id = estate_selectors.client_id_for_email(company_id=company_id, email=email)
            if client_id is None:
                client_id = estate_services.client_create(
                    company_id=company_id,
                    email=email,
                    first_name=f"Client {number}",
                    last_name=demo.name.split()[0],
                    phone=f"080300000{number:02d}",
                    address=f"{number} Demo Close",
                ).pk
                if number == 1:  # one client per company accepts and can log in
                    cls._accept_invitation(company_id, client_id, email, number, demo)
            client_ids.append(client_id)
        return client_ids

    @classmethod
    def _accept_invitation(
        cls, company_id: int, client_id: int, email: str, number: int, demo: DemoCompany
    ) -> None:
        user_id = cls._user(email, (f"Client {number}", demo.name.split()[0]))
        invitation_id = estate_selectors.client_open_invitation_id(
            company_id=company_id, client_id=client_id
        )
        if invitation_id is None:
            return
        token = estate_services.client_invitation_issue_token(invitation_id=invitation_id)
        if token is not None:
            estate_services.client_invitation_accept(token=token, user_id=user_id)

    @staticmethod
    def _marketers(demo: DemoCompany, company_id: int) -> int:
        """Two marketers: the first approved at 5 %, the second still pending."""
        approved_id = 0
        for number in (1, 2):
            email = demo.person("marketer", number)
            user_id = user_id_for_email(email=email) or marketer_services.marketer_register(
                email=email,
                password=DEMO_PASSWORD,
                first_name=f"Marketer {number}",
                last_name=demo.name.split()[0],
            )
            if user_id is None:
                raise CommandError(f"Could not register {email}.")
            user_mark_email_verified(user_id=user_id)
            ids = marketer_selectors.affiliation_ids_for_user(
                company_id=company_id, user_id=user_id
            )
            if ids:
                affiliation_id = ids[0]
            else:
                affiliation_id = marketer_services.affiliation_request(
                    user_id=user_id, company_id=company_id
                ).pk
                if number == 1:
                    marketer_services.affiliation_approve(
                        company_id=company_id,
                        affiliation_id=affiliation_id,
                        decided_by_id=None,
                        commission_rate=COMMISSION_RATE,
                    )
            if number == 1:
                approved_id = affiliation_id
        return approved_id

    # --- estates, plots and sales ----------------------------------------------------------

    @staticmethod
    def _estates(
        demo: DemoCompany, company_id: int, client_ids: list[int], affiliation_id: int
    ) -> None:
        for index, (name, location, state, lga) in enumerate(demo.estates):
            if estate_selectors.estate_id_for_name(company_id=company_id, name=name):
                continue
            estate = estate_services.estate_create(
                company_id=company_id,
                name=name,
                location=location,
                state=state,
                lga=lga,
                description=f"Dry, fenced and gated plots in {location}.",
            )
            plot_ids = []
            for number in range(1, PLOTS_PER_ESTATE + 1):
                plot = estate_services.plot_create(
                    company_id=company_id,
                    estate_id=estate.pk,
                    plot_number=f"{name[:2].upper()}-{number:03d}",
                    size_sqm=Decimal("300.00") + 150 * (number % 3),
                    price=demo.plot_price + Decimal("250000.00") * number,
                )
                plot_ids.append(plot.pk)
            # Sales: one through the marketer, one direct, one pending through the marketer.
            sales = (
                (plot_ids[0], affiliation_id, True),
                (plot_ids[1], None, True),
                (plot_ids[2], affiliation_id, False),
            )
            for offset, (plot_id, sold_through, complete) in enumerate(sales):
                estate_services.purchase_create(
                    company_id=company_id,
                    plot_id=plot_id,
                    client_id=client_ids[(index + offset) % len(client_ids)],
                    affiliation_id=sold_through,
                    complete=complete,
                )

    def _print_logins(self) -> None:
        self.stdout.write(self.style.SUCCESS("Demo data ready. Logins:"))
        self.stdout.write(f"  password for every login below: {DEMO_PASSWORD}")
        for demo in DEMO_COMPANIES:
            self.stdout.write(f"  {demo.name} ({demo.tier}, {demo.status}):")
            self.stdout.write(f"    {demo.admin_email:<34} company admin")
            self.stdout.write(f"    {demo.person('marketer', 1):<34} marketer (approved, 5 %)")
            self.stdout.write(f"    {demo.person('client', 1):<34} client")
        self.stdout.write(f"  {BILLING_STAFF_EMAIL:<36} billing staff, Django admin at /admin/")
