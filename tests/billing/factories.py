"""Companies to bill and invoices in a given state, for the billing and payments tests."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from apps.billing.models import Invoice, InvoiceLine, InvoiceStatus
from apps.billing.numbering import lock_sequence, take_numbers
from apps.billing.periods import Period
from apps.companies.models import Company, SubscriptionChange, SubscriptionStatus, Tier
from apps.usage.models import UsageRecord
from tests.companies.factories import CompanyFactory
from tests.estates.factories import PlotFactory

OCTOBER = Period.month(2026, 10)
PLAN_LIMITS = {
    Tier.STARTER: {"max_plots": 100, "max_agents": 5, "max_api_calls_daily": 1000},
    Tier.PROFESSIONAL: {"max_plots": 1000, "max_agents": 25, "max_api_calls_daily": 10000},
    Tier.ENTERPRISE: {"max_plots": 10000, "max_agents": 200, "max_api_calls_daily": 100000},
}


def at(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def billed_company(
    tier: str = Tier.PROFESSIONAL,
    status: str = SubscriptionStatus.ACTIVE,
    since: date = date(2026, 1, 1),
    **fields: object,
) -> Company:
    """A company that has been on ``tier`` in ``status`` since ``since``, paying offline."""
    company = CompanyFactory(
        subscription_tier=tier, subscription_status=status, **PLAN_LIMITS[tier], **fields
    )
    Company.objects.filter(pk=company.pk).update(created_at=at(since, 9))
    SubscriptionChange.objects.create(
        company=company, tier=tier, status=status, changed_at=at(since, 9)
    )
    company.refresh_from_db()
    return company


def change_subscription(company: Company, *, on: date, tier: str, status: str) -> None:
    SubscriptionChange.objects.create(company=company, tier=tier, status=status, changed_at=at(on))


def hold_plots(company: Company, count: int, *, since: date = date(2026, 2, 1)) -> None:
    plots = PlotFactory.create_batch(count, estate__company=company)
    from apps.estates.models import Plot

    Plot.objects.filter(pk__in=[plot.pk for plot in plots]).update(created_at=at(since))


def record_calls(company: Company, per_day: int, period: Period = OCTOBER) -> None:
    UsageRecord.objects.bulk_create(
        UsageRecord(company=company, day=period.start + timedelta(days=offset), api_calls=per_day)
        for offset in range(period.days)
    )


def issued_invoice(
    company: Company,
    *,
    total: Decimal = Decimal("80625.00"),
    due_date: date | None = None,
    period: Period = OCTOBER,
    status: str = InvoiceStatus.ISSUED,
) -> Invoice:
    """An issued invoice (numbered like the service numbers them) for ``period``."""
    from django.db import transaction

    with transaction.atomic():
        [number] = take_numbers(lock_sequence(timezone.localdate().year), 1)
        subtotal = (total / Decimal("1.075")).quantize(Decimal("0.01"))
        invoice = Invoice.objects.create(
            company=company,
            number=number,
            period_start=period.start,
            period_end=period.end,
            tier=company.subscription_tier,
            subtotal=subtotal,
            tax=total - subtotal,
            total=total,
            status=status,
            issued_at=timezone.now(),
            due_date=due_date or timezone.localdate() + timedelta(days=7),
        )
        InvoiceLine.objects.create(
            invoice=invoice,
            kind="subscription",
            description="Professional plan",
            unit_price=subtotal,
            amount=subtotal,
        )
    return invoice
