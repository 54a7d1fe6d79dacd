"""The demo data: three companies, one per tier, each with estates, plots, clients,
marketers and sales, and known logins."""

from dataclasses import dataclass
from decimal import Decimal

DEMO_PASSWORD = "EstateDemo!2026"  # noqa: S105 - a published demo login, refused in production
BILLING_STAFF_EMAIL = "billing@estateapp.demo"
BILLING_STAFF_NAME = ("Bola", "Staff")

PLOTS_PER_ESTATE = 6
CLIENTS_PER_COMPANY = 3
# The last client has not bought anything yet, as a company's newest leads have not.
BUYING_CLIENTS = 2
COMMISSION_RATE = Decimal("5.00")


@dataclass(frozen=True, slots=True)
class DemoSale:
    plot: int  # the plot's number within its estate, from 1
    through_marketer: bool
    complete: bool


# Per estate: one sale through the approved marketer, one direct, one pending through the
# marketer (which reserves its plot).
DEMO_SALES = (
    DemoSale(plot=1, through_marketer=True, complete=True),
    DemoSale(plot=2, through_marketer=False, complete=True),
    DemoSale(plot=3, through_marketer=True, complete=False),
)


@dataclass(frozen=True, slots=True)
class DemoEstate:
    name: str
    location: str
    state: str
    lga: str

    def plot_number(self, number: int) -> str:
        return f"{self.name[:2].upper()}-{number:03d}"


@dataclass(frozen=True, slots=True)
class DemoCompany:
    domain: str  # also the key its seeding is recorded under
    name: str
    tier: str
    status: str
    admin_name: tuple[str, str]
    estates: tuple[DemoEstate, ...]
    plot_price: Decimal

    @property
    def admin_email(self) -> str:
        return f"admin@{self.domain}.demo"

    @property
    def family_name(self) -> str:
        return self.name.split()[0]

    def person(self, role: str, number: int) -> str:
        return f"{role}{number}@{self.domain}.demo"

    def buyer_for(self, estate_index: int, sale_index: int) -> int:
        """The number of the client who buys an estate's sale_index-th demo sale."""
        return 1 + (estate_index + sale_index) % BUYING_CLIENTS


DEMO_COMPANIES = (
    DemoCompany(
        "lekki-gardens",
        "Lekki Gardens Realty",
        "starter",
        "trialing",
        ("Adaeze", "Okafor"),
        (DemoEstate("Lekki Pearl Estate", "Lekki-Epe Expressway", "Lagos", "Eti-Osa"),),
        Decimal("4500000.00"),
    ),
    DemoCompany(
        "abuja-homes",
        "Abuja Homes Ltd",
        "professional",
        "active",
        ("Musa", "Bello"),
        (
            DemoEstate("Guzape Hills", "Guzape District", "FCT", "AMAC"),
            DemoEstate("Lugbe Court", "Airport Road, Lugbe", "FCT", "AMAC"),
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
            DemoEstate("Ibeju Palms", "Ibeju-Lekki", "Lagos", "Ibeju-Lekki"),
            DemoEstate("Epe Meadows", "Epe", "Lagos", "Epe"),
            DemoEstate("Trans-Amadi Gardens", "Trans-Amadi", "Rivers", "Obio-Akpor"),
        ),
        Decimal("8500000.00"),
    ),
)
