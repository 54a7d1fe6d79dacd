"""Read-side of payments for other apps: plain data, never ORM rows."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Sum

from apps.payments.models import (
    OFFLINE_CHANNELS,
    Payment,
    PaymentChannel,
    PaymentMethod,
    PaymentStatus,
)


@dataclass(frozen=True, slots=True)
class PaymentInfo:
    id: int
    invoice_id: int | None
    amount: Decimal
    method: str
    reference: str
    status: str
    paid_at: datetime


def payments_for_invoices(*, invoice_ids: Iterable[int]) -> dict[int, list[PaymentInfo]]:
    """Each invoice's payments, oldest first, in one query."""
    ids = set(invoice_ids)
    found: dict[int, list[PaymentInfo]] = {invoice_id: [] for invoice_id in ids}
    for payment in Payment.objects.filter(invoice_id__in=ids).order_by("paid_at", "id"):
        found[payment.invoice_id].append(
            PaymentInfo(
                id=payment.pk,
                invoice_id=payment.invoice_id,
                amount=payment.amount,
                method=payment.method,
                reference=payment.reference,
                status=payment.status,
                paid_at=payment.paid_at,
            )
        )
    return found


def payment_method_labels() -> dict[str, str]:
    """Every payment method's name for people, by its stored value."""
    return dict(PaymentChannel.choices)


def offline_payment_methods() -> list[tuple[str, str]]:
    """The methods billing staff record by hand (bank transfer, cash), as form choices."""
    return [(method.value, method.label) for method in OFFLINE_CHANNELS]


@dataclass(frozen=True, slots=True)
class CardInfo:
    brand: str
    last4: str
    exp_month: int
    exp_year: int


def default_card(*, company_id: int) -> CardInfo | None:
    """The card the company's subscription is charged to: the one marked default (from
    Stripe's customer), else the one attached last; None without a card."""
    method = PaymentMethod.objects.filter(company_id=company_id).first()
    if method is None:
        return None
    return CardInfo(
        brand=method.brand,
        last4=method.last4,
        exp_month=method.exp_month,
        exp_year=method.exp_year,
    )


# --- for billing's receivables and platform analytics ---------------------------------------

# Enough ids in one IN list for any database (SQLite takes at most 32,766 parameters).
_ID_CHUNK = 5000


def amounts_paid_by_invoice(*, invoice_ids: Iterable[int], until: datetime) -> dict[int, Decimal]:
    """What each invoice had received by ``until`` (succeeded payments only), one query
    per 5,000 invoices; invoices without payments are left out."""
    ids = sorted(set(invoice_ids))
    paid: dict[int, Decimal] = {}
    for start in range(0, len(ids), _ID_CHUNK):
        paid.update(
            Payment.objects.filter(
                invoice_id__in=ids[start : start + _ID_CHUNK],
                status=PaymentStatus.SUCCEEDED,
                paid_at__lte=until,
            )
            .order_by()
            .values("invoice_id")
            .annotate(total=Sum("amount"))
            .values_list("invoice_id", "total")
        )
    return paid


def cash_collected_by_company(*, start: datetime, end: datetime) -> dict[int, Decimal]:
    """Money received from each company in [``start``, ``end``): succeeded payments, in
    one query (failed and refunded ones are not cash kept)."""
    return dict(
        Payment.objects.filter(status=PaymentStatus.SUCCEEDED, paid_at__gte=start, paid_at__lt=end)
        .order_by()
        .values("company_id")
        .annotate(total=Sum("amount"))
        .values_list("company_id", "total")
    )
