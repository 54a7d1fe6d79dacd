"""What an invoice PDF prints (the contract with the billing app), and its cache key."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, fields, is_dataclass
from datetime import date
from decimal import Context, Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from reportlab import Version as REPORTLAB_VERSION

STATUSES = ("draft", "issued", "paid", "overdue", "void")
CACHE_KEY_PREFIX = "invoice-pdf:v1:"


@dataclass(frozen=True, slots=True)
class Party:
    """Who issues an invoice (us) or who is billed (a company)."""

    name: str
    address_lines: tuple[str, ...]
    email: str = ""
    # Tax Identification Number, printed when set (Nigerian VAT invoices show the seller's).
    tax_id: str = ""


@dataclass(frozen=True, slots=True)
class DocumentLine:
    description: str
    quantity: int  # whole units: 1 for the fee, N extra plots, N blocks of 1,000 calls
    unit_price: Decimal  # naira, 2 places
    amount: Decimal  # naira, 2 places; negative for a credit


@dataclass(frozen=True, slots=True)
class PaymentInstructions:
    bank_name: str
    account_name: str
    account_number: str  # 10-digit NUBAN

    def __post_init__(self) -> None:
        number = self.account_number
        if not (len(number) == 10 and number.isascii() and number.isdigit()):
            raise ValueError(f"account_number must be a 10-digit NUBAN, not {number!r}")


@dataclass(frozen=True, slots=True)
class InvoiceDocument:
    number: str  # "INV-2026-000123"; a draft has none and shows "DRAFT"
    status: str  # one of STATUSES; draft and void are watermarked
    issued_on: date | None
    due_on: date | None
    period_start: date
    period_end: date
    seller: Party
    buyer: Party
    lines: tuple[DocumentLine, ...]
    subtotal: Decimal
    vat_rate: Decimal  # 0.075
    vat: Decimal
    total: Decimal
    amount_paid: Decimal
    balance: Decimal
    payment: PaymentInstructions
    currency: str = "NGN"

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, not {self.status!r}")
        if self.currency != "NGN":
            raise ValueError("invoice PDFs print naira (NGN) only")


def seller_from_settings() -> Party:
    """Us, as the issuer printed on every invoice (the INVOICE_SELLER_* settings)."""
    return Party(
        name=settings.INVOICE_SELLER_NAME,
        address_lines=tuple(settings.INVOICE_SELLER_ADDRESS),
        email=settings.INVOICE_SELLER_EMAIL,
        tax_id=settings.INVOICE_SELLER_TIN,
    )


def payment_instructions_from_settings() -> PaymentInstructions:
    """The account companies pay into by bank transfer (the INVOICE_BANK_* settings)."""
    return PaymentInstructions(
        bank_name=settings.INVOICE_BANK_NAME,
        account_name=settings.INVOICE_BANK_ACCOUNT_NAME,
        account_number=settings.INVOICE_BANK_ACCOUNT_NUMBER,
    )


def invoice_pdf_cache_key(document: InvoiceDocument) -> str:
    """A key for a cached PDF that changes whenever anything printed would change.

    It hashes every field of the document, canonically (equal documents, such as amounts
    of 1.0 and 1.00, give equal keys), with a fingerprint of this package's code, its
    fonts and reportlab, so a new layout never serves an old PDF either.
    """
    payload = json.dumps(
        [_layout_fingerprint(), _canonical(document)],
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
    )
    return CACHE_KEY_PREFIX + hashlib.sha256(payload.encode()).hexdigest()


def decimal_text(value: Decimal) -> str:
    """The shortest exact spelling of a number: 1.50 and 1.5 are "1.5", 100 is "100"."""
    if value.is_zero():
        return "0"  # -0 is printed as 0 too
    # Enough precision that normalize() only drops trailing zeros and never rounds.
    exact = Context(prec=max(len(value.as_tuple().digits), 1))
    return format(value.normalize(exact), "f")


def _canonical(value: Any) -> Any:
    if is_dataclass(value):
        return {field.name: _canonical(getattr(value, field.name)) for field in fields(value)}
    if isinstance(value, tuple):
        return [_canonical(item) for item in value]
    if isinstance(value, Decimal):
        return {"decimal": decimal_text(value)}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if value is None or isinstance(value, str | int):
        return value
    raise TypeError(f"no canonical form for {type(value).__name__}")


@cache
def _layout_fingerprint() -> str:
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(REPORTLAB_VERSION.encode())
    for path in sorted([*package.glob("*.py"), *package.glob("fonts/*.ttf")]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
