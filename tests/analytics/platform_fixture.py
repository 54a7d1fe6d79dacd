"""A small platform written out by hand: October 2026 with an upgrade, a downgrade, a
cancellation, a suspension, a reactivation and a new company (docs/analytics.md works
the same example through).

Fees (VAT excluded): Starter ₦25,000, Professional ₦75,000, Enterprise ₦250,000.

| company | history | MRR 30 Sep | MRR 31 Oct | October's movement |
|---|---|---|---|---|
| A | Starter from 1 Sep, Professional from 10 Oct | 25,000 | 75,000 | expansion +50,000 |
| B | Enterprise from 1 Sep, Professional from 15 Oct | 250,000 | 75,000 | contraction 175,000 |
| C | Professional from 1 Sep, cancelled 20 Oct ("Too expensive") | 75,000 | 0 | churned 75,000 |
| D | signs up 5 Oct on a Starter trial, pays from 19 Oct | - | 25,000 | new +25,000 |
| E | Starter from 1 Sep | 25,000 | 25,000 | - |
| F | Professional from 1 Sep, suspended 25 Sep, back 8 Oct | 0 | 75,000 | reactivation +75,000 |
| G | Starter from 1 Sep, suspended 25 Oct ("unpaid_invoices") | 25,000 | 0 | churned 25,000 |
| H | signs up 12 Oct on a Starter trial, still on it | - | 0 | - |
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from apps.analytics.platform.rollup import build_platform_range
from apps.billing.models import Invoice
from apps.companies.models import Company, SubscriptionChange
from apps.payments.services import payment_record_offline
from apps.usage.models import UsageRecord
from tests.billing.factories import (
    PLAN_LIMITS,
    at,
    billed_company,
    change_subscription,
    issued_invoice,
)
from tests.companies.factories import TrialCompanyFactory

SEP_1, SEP_30 = date(2026, 9, 1), date(2026, 9, 30)
OCT_1, OCT_31 = date(2026, 10, 1), date(2026, 10, 31)


@dataclass
class Platform:
    companies: dict[str, Company]


def _now(company: Company, **fields: object) -> None:
    """The company's current state, as the history's last change left it."""
    Company.objects.filter(pk=company.pk).update(**fields)


def _trial(name: str, signed_up: date) -> Company:
    company = TrialCompanyFactory(name=name)
    Company.objects.filter(pk=company.pk).update(created_at=at(signed_up, 9))
    SubscriptionChange.objects.create(
        company=company, tier="starter", status="trialing", changed_at=at(signed_up, 9)
    )
    return company


def make_platform() -> Platform:
    a = billed_company("starter", since=SEP_1, name="A Homes")
    change_subscription(a, on=date(2026, 10, 10), tier="professional", status="active")
    _now(a, subscription_tier="professional", **PLAN_LIMITS["professional"])

    b = billed_company("enterprise", since=SEP_1, name="B Estates")
    change_subscription(b, on=date(2026, 10, 15), tier="professional", status="active")
    _now(b, subscription_tier="professional", **PLAN_LIMITS["professional"])

    c = billed_company("professional", since=SEP_1, name="C Realty")
    change_subscription(c, on=date(2026, 10, 20), tier="professional", status="cancelled")
    _now(c, subscription_status="cancelled", cancellation_reason="Too expensive")

    d = _trial("D Properties", date(2026, 10, 5))
    change_subscription(d, on=date(2026, 10, 19), tier="starter", status="active")
    _now(d, subscription_status="active")

    e = billed_company("starter", since=SEP_1, name="E Land")

    f = billed_company("professional", since=SEP_1, name="F Gardens")
    change_subscription(f, on=date(2026, 9, 25), tier="professional", status="suspended")
    change_subscription(f, on=date(2026, 10, 8), tier="professional", status="active")

    g = billed_company("starter", since=SEP_1, name="G Acres")
    change_subscription(g, on=date(2026, 10, 25), tier="starter", status="suspended")
    _now(g, subscription_status="suspended", suspension_reason="unpaid_invoices")

    h = _trial("H Plots", date(2026, 10, 12))
    return Platform(companies=dict(zip("ABCDEFGH", (a, b, c, d, e, f, g, h), strict=True)))


def add_money(platform: Platform) -> None:
    """E pays its ₦26,875 invoice in full on 3 Oct; A pays ₦30,000 of its ₦80,625 on
    20 Oct. Both were issued on 1 Oct, due 8 Oct."""
    e, a = platform.companies["E"], platform.companies["A"]
    for company, total in ((e, Decimal("26875.00")), (a, Decimal("80625.00"))):
        invoice = issued_invoice(company, total=total, due_date=date(2026, 10, 8))
        Invoice.objects.filter(pk=invoice.pk).update(issued_at=at(OCT_1, 1))
        if company == e:
            payment_record_offline(
                company_id=e.pk,
                invoice_id=invoice.pk,
                amount=total,
                method="bank_transfer",
                reference="TRF-E",
                paid_at=at(date(2026, 10, 3)),
            )
        else:
            payment_record_offline(
                company_id=a.pk,
                invoice_id=invoice.pk,
                amount=Decimal("30000.00"),
                method="bank_transfer",
                reference="TRF-A",
                paid_at=at(date(2026, 10, 20)),
            )


def add_usage(platform: Platform) -> None:
    """E (Starter: 1,000 calls a day, 10,000 a month included) makes 300 calls a day
    in October and 1,200 on 31 Oct (over the daily cap; 10,200 that month: over the
    allowance); B makes 100 a day."""
    e, b = platform.companies["E"], platform.companies["B"]
    records = []
    for offset in range(31):
        day = date(2026, 10, 1 + offset)
        records.append(UsageRecord(company=e, day=day, api_calls=1200 if offset == 30 else 300))
        records.append(UsageRecord(company=b, day=day, api_calls=100))
    UsageRecord.objects.bulk_create(records)


def build(start: date = SEP_30, end: date = OCT_31) -> int:
    return build_platform_range(start=start, end=end)


def built_platform(start: date = SEP_1, end: date = OCT_31) -> Platform:
    """The platform with its money and usage, rolled up from ``start`` to ``end``."""
    platform = make_platform()
    add_money(platform)
    add_usage(platform)
    build(start, end)
    return platform
