"""A platform of many companies with a seeded, believable history (signups on trial,
conversions, upgrades, downgrades, suspensions, reactivations, cancellations with
reasons, monthly invoices paid late or not at all, and API calls), written in bulk: for
the dashboard's browser test (a screenshot worth looking at) and the roll-up benchmark."""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from apps.billing.models import Invoice
from apps.companies.models import Company, SubscriptionChange
from apps.payments.models import Payment
from apps.usage.models import UsageRecord

FEES = {"starter": Decimal("25000.00"), "professional": Decimal("75000.00"),
        "enterprise": Decimal("250000.00")}  # fmt: skip
LIMITS = {
    "starter": (100, 5, 1000),
    "professional": (1000, 25, 10000),
    "enterprise": (10000, 200, 100000),
}
UP = {"starter": "professional", "professional": "enterprise"}
DOWN = {"enterprise": "professional", "professional": "starter"}
REASONS = ("Too expensive", "Moved to a competitor", "Company closed", "Missing features", "")


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@dataclass
class Demo:
    company_ids: list[int]
    start: date
    end: date


def _history(rng: random.Random, signup: date, end: date) -> list[tuple[date, str, str, str]]:
    """(day, tier, status, reason) changes from signup to ``end``."""
    tier = rng.choices(("starter", "professional", "enterprise"), (75, 21, 4))[0]
    changes = []
    if rng.random() < 0.85:
        changes.append((signup, "starter", "trialing", ""))
        if rng.random() < 0.35:
            return changes  # never converted
        day = signup + timedelta(days=rng.randint(3, 14))
    else:
        day = signup
    status = "active"
    changes.append((day, tier, status, ""))
    while True:
        day += timedelta(days=rng.randint(20, 60))
        if day > end:
            return changes
        roll = rng.random()
        if status == "suspended":
            if roll < 0.6:
                status = "active"
                changes.append((day, tier, status, ""))
            else:
                changes.append((day, tier, "cancelled", "Unpaid invoices"))
                return changes
        elif roll < 0.12 and tier in UP:
            tier = UP[tier]
            changes.append((day, tier, status, ""))
        elif roll < 0.18 and tier in DOWN:
            tier = DOWN[tier]
            changes.append((day, tier, status, ""))
        elif roll < 0.24:
            status = "suspended"
            changes.append((day, tier, status, "unpaid_invoices"))
        elif roll < 0.30:
            changes.append((day, tier, "cancelled", rng.choice(REASONS)))
            return changes


def make_demo(*, companies: int, start: date, end: date, seed: int = 14) -> Demo:
    """``companies`` companies signing up from ``start`` to ``end``, with their histories,
    invoices and payments, and a month of API calls (the last)."""
    rng = random.Random(seed)
    span = (end - start).days
    histories = [
        _history(rng, start + timedelta(days=rng.randint(0, span)), end) for _ in range(companies)
    ]
    made = Company.objects.bulk_create(
        Company(
            name=f"{rng.choice(('Lekki', 'Abuja', 'Prime', 'Ikeja', 'Enugu', 'Kano'))} "
            f"{rng.choice(('Gardens', 'Homes', 'Estates', 'Realty', 'Acres'))} {n}",
            slug=f"demo-{n}",
            billing_email=f"billing{n}@demo.ng",
            subscription_tier=history[-1][1],
            subscription_status=history[-1][2],
            suspension_reason=history[-1][3] if history[-1][2] == "suspended" else "",
            cancellation_reason=history[-1][3] if history[-1][2] == "cancelled" else "",
            max_plots=LIMITS[history[-1][1]][0],
            max_agents=LIMITS[history[-1][1]][1],
            max_api_calls_daily=LIMITS[history[-1][1]][2],
        )
        for n, history in enumerate(histories)
    )
    ids = [company.pk for company in made]
    for pk, history in zip(ids, histories, strict=True):
        Company.objects.filter(pk=pk).update(created_at=_at(history[0][0], 9))
    SubscriptionChange.objects.bulk_create(
        SubscriptionChange(company_id=pk, tier=tier, status=status, changed_at=_at(day))
        for pk, history in zip(ids, histories, strict=True)
        for day, tier, status, _ in history
    )
    _money(rng, ids, histories, end)
    _calls(rng, ids, histories, end)
    return Demo(company_ids=ids, start=start, end=end)


def _paying_tier(history: list[tuple[date, str, str, str]], day: date) -> str | None:
    held = [change for change in history if change[0] <= day]
    if held and held[-1][2] in ("active", "past_due"):
        return held[-1][1]
    return None


def _money(rng: random.Random, ids: list[int], histories: list, end: date) -> None:
    invoices, paid_on = [], []
    month = date(end.year, 1, 1)
    while month <= end:
        for pk, history in zip(ids, histories, strict=True):
            tier = _paying_tier(history, month)
            if tier is None:
                continue
            total = (FEES[tier] * Decimal("1.075")).quantize(Decimal("0.01"))
            late = rng.choice((2, 5, 9, 15, 25, 40, None))
            paid = month + timedelta(days=late) if late is not None else None
            paid = paid if paid and paid <= end else None
            invoices.append(
                Invoice(
                    company_id=pk,
                    number=f"DEMO-{len(invoices) + 1:06d}",
                    period_start=month,
                    period_end=month + timedelta(days=27),
                    tier=tier,
                    subtotal=FEES[tier],
                    tax=total - FEES[tier],
                    total=total,
                    amount_paid=total if paid else Decimal("0.00"),
                    status="paid" if paid else "issued",
                    issued_at=_at(month, 1),
                    due_date=month + timedelta(days=7),
                    paid_at=_at(paid) if paid else None,
                )
            )
            paid_on.append(paid)
        month = (month + timedelta(days=32)).replace(day=1)
    Invoice.objects.bulk_create(invoices)
    Payment.objects.bulk_create(
        Payment(
            company_id=invoice.company_id,
            invoice_id=invoice.pk,
            amount=invoice.total,
            method="bank_transfer",
            reference=f"TRF-{invoice.number}",
            paid_at=_at(day),
        )
        for invoice, day in zip(invoices, paid_on, strict=True)
        if day is not None
    )


def _calls(rng: random.Random, ids: list[int], histories: list, end: date) -> None:
    first = end.replace(day=1)
    records = []
    for pk, history in zip(ids, histories, strict=True):
        tier = _paying_tier(history, end)
        if tier is None:
            continue
        cap = LIMITS[tier][2]
        busy = rng.choice((0.02, 0.05, 0.1, 0.2, 0.4, 0.85))
        for offset in range((end - first).days + 1):
            calls = int(cap * busy * rng.uniform(0.5, 1.15))
            records.append(UsageRecord(company_id=pk, day=first + timedelta(days=offset),
                                       api_calls=calls))  # fmt: skip
    UsageRecord.objects.bulk_create(records, batch_size=5000)
