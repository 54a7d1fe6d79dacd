"""The invoice calculator: one pure function for every company, whatever pays the bill.

Per company per period (DESIGN.md, Money):

    subtotal = plan fee + overage - credits      (never below zero; unused credit carries)
    overage  = extra plots x ₦300 + ceil(extra API calls / 1000) x ₦100
    VAT      = round(subtotal x VAT rate)        (half up, to the kobo)
    total    = subtotal + VAT

The fee is prorated by days when the tier changed inside the period (or the period was
only partly billable: a trial ending, a suspension). Extra plots are those held at the
period's end beyond the plan's included plots; extra calls are those made in the period
beyond the plan's monthly allowance; the plan is the one held at the period's end.
"""

from dataclasses import dataclass
from decimal import Decimal

from apps.core.money import apply_rate, round_kobo

ZERO = Decimal("0.00")
PLOT_OVERAGE_PRICE = Decimal("300.00")
API_CALL_BLOCK = 1000
API_CALL_BLOCK_PRICE = Decimal("100.00")


@dataclass(frozen=True, slots=True)
class TierUsage:
    """Days of the period spent (billably) on one plan."""

    tier: str  # the plan's code
    plan_name: str
    monthly_fee: Decimal
    days: int


@dataclass(frozen=True, slots=True)
class InvoiceInput:
    period_days: int
    tiers: tuple[TierUsage, ...]
    included_plots: int
    plots_held: int
    included_api_calls: int
    api_calls: int
    credits_available: Decimal
    vat_rate: Decimal


@dataclass(frozen=True, slots=True)
class CalculatedLine:
    kind: str  # one of billing.models.LineKind
    description: str
    quantity: int
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class InvoiceCalculation:
    lines: tuple[CalculatedLine, ...]
    fees: Decimal
    overage: Decimal
    credits_used: Decimal
    subtotal: Decimal
    vat: Decimal
    total: Decimal
    credit_left: Decimal


def calculate_invoice(data: InvoiceInput) -> InvoiceCalculation:
    """The lines and totals of an invoice. Pure: same input, same invoice."""
    if data.period_days < 1:
        raise ValueError("a period has at least one day")
    if sum(tier.days for tier in data.tiers) > data.period_days:
        raise ValueError("more billable days than the period has")
    lines: list[CalculatedLine] = []
    for tier in data.tiers:
        if tier.days <= 0:
            continue
        full = tier.days == data.period_days
        amount = round_kobo(tier.monthly_fee * tier.days / data.period_days)
        description = (
            f"{tier.plan_name} plan"
            if full
            else f"{tier.plan_name} plan, {tier.days} of {data.period_days} days"
        )
        lines.append(CalculatedLine("subscription", description, 1, amount, amount))
    fees = sum((line.amount for line in lines), ZERO)

    extra_plots = max(0, data.plots_held - data.included_plots)
    if extra_plots:
        lines.append(
            CalculatedLine(
                "overage_plots",
                f"Plots beyond the {data.included_plots:,} included ({data.plots_held:,} held)",
                extra_plots,
                PLOT_OVERAGE_PRICE,
                PLOT_OVERAGE_PRICE * extra_plots,
            )
        )
    extra_calls = max(0, data.api_calls - data.included_api_calls)
    blocks = -(-extra_calls // API_CALL_BLOCK)  # ceiling division
    if blocks:
        lines.append(
            CalculatedLine(
                "overage_api_calls",
                f"API calls beyond the {data.included_api_calls:,} included "
                f"({extra_calls:,} extra, per {API_CALL_BLOCK:,} or part)",
                blocks,
                API_CALL_BLOCK_PRICE,
                API_CALL_BLOCK_PRICE * blocks,
            )
        )
    overage = sum((line.amount for line in lines if line.kind != "subscription"), ZERO)

    charges = fees + overage
    credits_available = round_kobo(max(data.credits_available, ZERO))
    credits_used = min(credits_available, charges)
    if credits_used:
        lines.append(CalculatedLine("credit", "Credit applied", 1, -credits_used, -credits_used))
    subtotal = charges - credits_used
    vat = apply_rate(subtotal, data.vat_rate)
    return InvoiceCalculation(
        lines=tuple(lines),
        fees=fees,
        overage=overage,
        credits_used=credits_used,
        subtotal=subtotal,
        vat=vat,
        total=subtotal + vat,
        credit_left=credits_available - credits_used,
    )
