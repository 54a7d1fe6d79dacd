"""Read-side of billing: invoice numbers for other apps, the subscription overview with
the next invoice's estimate, and the document an invoice PDF prints."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from apps.billing.calculator import (
    InvoiceCalculation,
    InvoiceInput,
    TierUsage,
    calculate_invoice,
)
from apps.billing.models import ZERO, Credit, Invoice, InvoiceStatus
from apps.billing.periods import Period
from apps.companies.selectors import billing_account, company_limits, plans_by_code
from apps.payments.selectors import CardInfo, amounts_paid_by_invoice, default_card
from apps.usage.selectors import api_calls_for_period, plots_count


def invoice_numbers_for(*, invoice_ids: Iterable[int]) -> dict[int, str]:
    """Numbers of many invoices in one query (drafts have none)."""
    return {
        pk: number or ""
        for pk, number in Invoice.objects.filter(pk__in=set(invoice_ids)).values_list(
            "pk", "number"
        )
    }


def credits_available(*, company_id: int) -> Decimal:
    return sum(
        Credit.objects.filter(company_id=company_id, remaining__gt=0).values_list(
            "remaining", flat=True
        ),
        Decimal("0.00"),
    )


@dataclass(frozen=True, slots=True)
class SubscriptionOverview:
    tier: str
    plan_name: str
    monthly_fee: Decimal
    status: str
    trial_ends_at: datetime | None
    period_start: date
    period_end: date
    max_plots: int
    max_agents: int
    max_api_calls_daily: int
    included_api_calls: int
    api_calls_this_period: int
    plots: int
    credits_available: Decimal
    estimate: InvoiceCalculation
    pays_by_card: bool
    current_period_end: datetime | None
    cancel_at_period_end: bool
    default_card: CardInfo | None


def subscription_overview(*, company_id: int, today: date | None = None) -> SubscriptionOverview:
    """The company's plan, standing and limits, its usage this period, its credits, and
    what the next invoice would be: the calculator applied to a full period on the
    current plan with the usage so far (shown to a company on trial too)."""
    today = today or timezone.localdate()
    period = Period.month_of(today)
    limits = company_limits(company_id=company_id)
    account = billing_account(company_id=company_id)
    plan = plans_by_code()[limits.tier]
    calls = api_calls_for_period(company_id=company_id, start=period.start, end=today)
    plots = plots_count(company_id=company_id)
    credits = credits_available(company_id=company_id)
    estimate = calculate_invoice(
        InvoiceInput(
            period_days=period.days,
            tiers=(
                TierUsage(
                    tier=plan.code,
                    plan_name=plan.name,
                    monthly_fee=plan.monthly_fee,
                    days=period.days,
                ),
            ),
            included_plots=plan.included_plots,
            plots_held=plots,
            included_api_calls=plan.included_api_calls,
            api_calls=calls,
            credits_available=credits,
            vat_rate=settings.VAT_RATE,
        )
    )
    return SubscriptionOverview(
        tier=limits.tier,
        plan_name=plan.name,
        monthly_fee=plan.monthly_fee,
        status=limits.status,
        trial_ends_at=account.trial_ends_at,
        period_start=period.start,
        period_end=period.end,
        max_plots=limits.max_plots,
        max_agents=limits.max_agents,
        max_api_calls_daily=limits.max_api_calls_daily,
        included_api_calls=plan.included_api_calls,
        api_calls_this_period=calls,
        plots=plots,
        credits_available=credits,
        estimate=estimate,
        pays_by_card=account.pays_by_card,
        current_period_end=account.current_period_end,
        cancel_at_period_end=account.cancel_at_period_end,
        default_card=default_card(company_id=company_id),
    )


def card_invoice_id(*, external_id: str) -> int | None:
    """Our mirror of a card invoice, by the gateway's id."""
    return Invoice.objects.filter(external_id=external_id).values_list("pk", flat=True).first()


@dataclass(frozen=True, slots=True)
class InvoicePdf:
    filename: str
    content: bytes


def invoice_pdf(*, invoice_id: int) -> InvoicePdf:
    """The PDF of an issued invoice (for the email that announces it; the company's own
    downloads go through ``invoice_pdf_download``, which records the export)."""
    # Imported here so reportlab loads only in processes that make PDFs.
    from apps.billing.documents import invoice_pdf as render
    from apps.billing.documents import pdf_filename

    invoice = Invoice.objects.prefetch_related("lines").get(pk=invoice_id)
    return InvoicePdf(filename=pdf_filename(invoice), content=render(invoice))


@dataclass(frozen=True, slots=True)
class IssuedInvoice:
    invoice_id: int
    company_id: int
    number: str
    total: Decimal
    due_date: date | None
    paid_at: datetime | None  # paid already (by credits, as it was issued)


def issued_invoices_for(*, invoice_ids: Iterable[int]) -> list[IssuedInvoice]:
    """Many issued invoices' numbers, totals, due dates and payment, in one query, by id."""
    rows = (
        Invoice.objects.filter(pk__in=set(invoice_ids))
        .exclude(number=None)
        .order_by("pk")
        .values_list("pk", "company_id", "number", "total", "due_date", "paid_at")
    )
    return [IssuedInvoice(*row) for row in rows]


@dataclass(frozen=True, slots=True)
class Receivables:
    outstanding: Decimal  # issued and unpaid, due or not
    overdue: Decimal  # the part of it past its due date


def receivables_at(*, at: datetime) -> dict[int, Receivables]:
    """What each company owed at ``at``: the balances of the invoices issued by then and
    neither paid in full nor voided by then, and which of them were past due (their due
    date before ``at``'s local day). Companies owing nothing are left out.

    Two queries (and one more per 5,000 open invoices): the invoices, then what they
    had received by ``at``, so a past day is rebuilt as it was.
    """
    due_before = timezone.localdate(at)
    invoices = list(
        Invoice.objects.filter(issued_at__lte=at)
        .exclude(number=None)
        .exclude(voided_at__lte=at)
        .exclude(paid_at__lte=at)
        .exclude(status=InvoiceStatus.DRAFT)
        .order_by()
        .values_list("pk", "company_id", "total", "due_date")
    )
    paid = amounts_paid_by_invoice(invoice_ids=[row[0] for row in invoices], until=at)
    owed: dict[int, tuple[Decimal, Decimal]] = {}
    for pk, company_id, total, due_date in invoices:
        balance = max(total - paid.get(pk, ZERO), ZERO)
        outstanding, overdue = owed.get(company_id, (ZERO, ZERO))
        late = due_date is not None and due_date < due_before
        owed[company_id] = (outstanding + balance, overdue + (balance if late else ZERO))
    return {
        company_id: Receivables(outstanding=outstanding, overdue=overdue)
        for company_id, (outstanding, overdue) in owed.items()
        if outstanding
    }
