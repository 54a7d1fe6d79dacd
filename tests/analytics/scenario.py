"""A small month written out by hand (October 2026, Lagos): two estates, four sales,
two marketers' commissions, logins and plot views. The expected report numbers are in
tests/analytics/test_reports_worked.py, computed by hand from what is here."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from apps.analytics.models import AnalyticsEvent, EventKind
from apps.companies.models import Company, Membership
from apps.estates.models import Client, Plot, PlotPurchase, PurchaseStatus
from apps.marketers.models import CommissionStatus, MarketerEarnedCommission
from apps.usage.models import UsageRecord
from tests.companies.factories import CompanyFactory, MembershipFactory
from tests.estates.factories import ClientFactory, EstateFactory, PlotFactory
from tests.marketers.factories import AffiliationFactory

LAGOS = ZoneInfo("Africa/Lagos")
BEFORE = datetime(2026, 9, 1, 9, 0, tzinfo=LAGOS)


def at(day: int, hour: int = 12, month: int = 10) -> datetime:
    """A Lagos time in October 2026."""
    return datetime(2026, month, day, hour, 0, tzinfo=LAGOS)


@dataclass
class Month:
    company: Any
    admin: Any
    estate_1: Any
    estate_2: Any
    marketer_1: Any
    marketer_2: Any
    clients: list[Any]


_event_number = iter(range(1, 10**9))


def event(
    company: Any, kind: str, when: datetime, user: Any = None, role: str = "", pk=None
) -> None:
    import uuid

    AnalyticsEvent.objects.create(
        event_id=uuid.UUID(int=next(_event_number) + 10**20),
        company_id=company.pk,
        user_id=user.pk if user else None,
        role=role,
        kind=kind,
        object_id=pk,
        occurred_at=when,
    )


def _sale(company, plot, client, when, *, affiliation=None, price, completed=None, status=None):
    return PlotPurchase.objects.create(
        company=company,
        plot=plot,
        client=client,
        affiliation=affiliation,
        agreed_price=price,
        status=status or (PurchaseStatus.COMPLETED if completed else PurchaseStatus.PENDING),
        purchased_at=when,
        completed_at=completed,
    )


def _commission(sale, affiliation, amount, *, created, approved=None, paid=None):
    commission = MarketerEarnedCommission.objects.create(
        company=sale.company,
        affiliation=affiliation,
        purchase=sale,
        rate=affiliation.commission_rate,
        amount=amount,
        status=CommissionStatus.PAID
        if paid
        else CommissionStatus.APPROVED
        if approved
        else CommissionStatus.PENDING,
        approved_at=approved,
        paid_at=paid,
    )
    MarketerEarnedCommission.objects.filter(pk=commission.pk).update(created_at=created)


def october(max_api_calls_daily: int = 100) -> Month:
    company = CompanyFactory(max_api_calls_daily=max_api_calls_daily, max_plots=50, max_agents=5)
    admin = MembershipFactory(company=company, role="company_admin").user
    estate_1 = EstateFactory(company=company, name="Lekki Gardens")
    estate_2 = EstateFactory(company=company, name="Ibeju Court")
    plots = [
        PlotFactory(estate=estate_1, size_sqm=Decimal("500.00")),
        PlotFactory(estate=estate_1, size_sqm=Decimal("300.00")),
        PlotFactory(estate=estate_2, size_sqm=Decimal("450.00")),
        PlotFactory(estate=estate_2, size_sqm=Decimal("600.00")),
        PlotFactory(estate=estate_2, size_sqm=Decimal("700.00")),
    ]
    marketer_1 = AffiliationFactory(
        company=company,
        commission_rate=Decimal("5.00"),
        marketer__user__first_name="Ada",
        marketer__user__last_name="Obi",
    )
    marketer_2 = AffiliationFactory(
        company=company,
        commission_rate=Decimal("2.50"),
        marketer__user__first_name="Bola",
        marketer__user__last_name="Ade",
    )
    for affiliation in (marketer_1, marketer_2):
        MembershipFactory(company=company, user=affiliation.marketer.user, role="marketer")
    clients = [ClientFactory(company=company) for _ in range(3)]

    # Sale 1: Lekki plot of 500 m², through Ada, bought 2 Oct, completed 3 Oct.
    sale_1 = _sale(
        company,
        plots[0],
        clients[0],
        at(2),
        affiliation=marketer_1,
        price=Decimal("10000000.00"),
        completed=at(3),
    )
    # Sale 2: Lekki plot of 300 m², through Bola, bought and completed 10 Oct.
    sale_2 = _sale(
        company,
        plots[1],
        clients[1],
        at(10, 9),
        affiliation=marketer_2,
        price=Decimal("4500000.50"),
        completed=at(10, 15),
    )
    # Purchase 3: Ibeju plot of 450 m², through Ada, bought 20 Oct, still pending.
    _sale(
        company, plots[2], clients[2], at(20), affiliation=marketer_1, price=Decimal("7200000.00")
    )
    # Purchase 4: Ibeju, bought 12 Oct and cancelled: in no figure.
    _sale(
        company,
        plots[3],
        clients[0],
        at(12),
        price=Decimal("9000000.00"),
        status=PurchaseStatus.CANCELLED,
    )
    # Sale 5: completed 30 Sep (before the month): outside the report.
    _sale(
        company,
        plots[4],
        clients[1],
        at(29, month=9),
        price=Decimal("1000000.00"),
        completed=at(30, month=9),
    )
    # 5 % of 10,000,000.00; 2.5 % of 4,500,000.50 = 112,500.0125 -> 112,500.01.
    _commission(
        sale_1, marketer_1, Decimal("500000.00"), created=at(3), approved=at(10), paid=at(17)
    )
    _commission(sale_2, marketer_2, Decimal("112500.01"), created=at(10, 15), approved=at(17))

    # Logins: the admin twice and client 1 once on 2 Oct; plot views by clients.
    event(company, EventKind.LOGIN, at(2, 8), admin, "company_admin")
    event(company, EventKind.LOGIN, at(2, 18), admin, "company_admin")
    event(company, EventKind.LOGIN, at(2, 9), clients[0].user, "client")
    event(company, EventKind.PLOT_VIEW, at(1), clients[0].user, "client", plots[0].pk)
    event(company, EventKind.PLOT_VIEW, at(2, 8), clients[0].user, "client", plots[0].pk)
    event(company, EventKind.PLOT_VIEW, at(2, 10), clients[0].user, "client", plots[0].pk)
    event(company, EventKind.PLOT_VIEW, at(20, 8), clients[2].user, "client", plots[2].pk)
    # An admin's view counts as a view, not as a client viewing.
    event(company, EventKind.PLOT_VIEW, at(21), admin, "company_admin", plots[2].pk)
    event(company, EventKind.ESTATE_VIEW, at(21), admin, "company_admin", estate_2.pk)
    event(company, EventKind.SEARCH, at(22), clients[1].user, "client")
    event(company, EventKind.EXPORT, at(23), admin, "company_admin")

    # API calls on 2 and 3 October (limit 100 a day: the 2nd is over it).
    UsageRecord.objects.create(company=company, day=date(2026, 10, 2), api_calls=120)
    UsageRecord.objects.create(company=company, day=date(2026, 10, 3), api_calls=80)

    # Everything but the clients existed before October; the clients joined on 1, 9 and
    # 19 October.
    before = BEFORE
    Company.objects.filter(pk=company.pk).update(created_at=before)
    Plot.objects.filter(company=company).update(created_at=before)
    Membership.objects.filter(company=company).update(created_at=before)
    for client, day in zip(clients, (1, 9, 19), strict=True):
        Client.objects.filter(pk=client.pk).update(created_at=at(day, 7))
    return Month(company, admin, estate_1, estate_2, marketer_1, marketer_2, clients)
