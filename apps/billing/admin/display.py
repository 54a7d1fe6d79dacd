"""How amounts, periods and payments read in the billing admin."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from apps.billing.periods import Period
from apps.billing.selectors import SubscriptionOverview
from apps.core.money import format_naira, round_kobo
from apps.payments.selectors import PaymentInfo, payment_method_labels

MINUS = "\u2212"


def naira(amount: Decimal) -> str:
    """₦1,234,567.89; a credit has a minus sign (U+2212) before the ₦, as on the PDF."""
    amount = round_kobo(amount)
    text = format_naira(abs(amount))
    return f"{MINUS}{text}" if amount < 0 else text


def period_label(start: date, end: date) -> str:
    """The month's name for a calendar month ("October 2026"), else both days."""
    if Period.month_of(start) == Period(start, end):
        return f"{start:%B %Y}"
    return f"{start.day} {start:%b %Y} to {end.day} {end:%b %Y}"


def vat_percent(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f} %"


def payments_table(payments: list[PaymentInfo]) -> SafeString:
    """An invoice's payments, oldest first, as a small table (escaped)."""
    if not payments:
        return format_html("<p>{}</p>", "No payments yet.")
    methods = payment_method_labels()
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class='nowrap'>{}</td></tr>",
        (
            (
                f"{timezone.localtime(payment.paid_at):%Y-%m-%d %H:%M}",
                methods.get(payment.method, payment.method),
                payment.reference,
                payment.status,
                naira(payment.amount),
            )
            for payment in payments
        ),
    )
    return format_html(
        "<table><thead><tr><th>paid</th><th>method</th><th>reference</th><th>status</th>"
        "<th>amount</th></tr></thead><tbody>{}</tbody></table>",
        rows,
    )


def preview_context(overview: SubscriptionOverview) -> dict[str, Any]:
    """What the preview page shows of a company's subscription and next invoice, in ₦."""
    estimate = overview.estimate
    status = overview.status
    if overview.trial_ends_at:
        status += f" (trial ends {timezone.localtime(overview.trial_ends_at):%-d %b %Y})"
    totals = [
        ("Subtotal", naira(estimate.subtotal)),
        (f"VAT ({vat_percent(settings.VAT_RATE)})", naira(estimate.vat)),
        ("Total", naira(estimate.total)),
    ]
    if estimate.credit_left:
        totals.append(("Credit left after it", naira(estimate.credit_left)))
    return {
        "overview": overview,
        "facts": [
            ("Plan", f"{overview.plan_name}, {naira(overview.monthly_fee)} a month"),
            ("Status", status),
            ("Period", period_label(overview.period_start, overview.period_end)),
            ("Plots held", f"{overview.plots:,} (at most {overview.max_plots:,})"),
            (
                "API calls this period",
                f"{overview.api_calls_this_period:,} of {overview.included_api_calls:,} included",
            ),
            ("Credits available", naira(overview.credits_available)),
        ],
        "estimate_lines": [
            {
                "description": line.description,
                "quantity": f"{line.quantity:,}",
                "unit_price": naira(line.unit_price),
                "amount": naira(line.amount),
            }
            for line in estimate.lines
        ],
        "estimate_totals": totals,
    }
