"""Invoice PDFs: one A4 document per invoice, amounts in naira with the ₦ sign.

The billing app turns an invoice into an ``InvoiceDocument`` (plain values, no ORM rows)
and calls ``render_invoice_pdf``; a cached PDF is stored under
``invoice_pdf_cache_key(document)``, which changes whenever anything printed would.

- ``document``: the contract (frozen dataclasses), our details from the settings, the
  cache key;
- ``typesetting``: the fonts (DejaVu Sans, shipped in ``fonts/`` because the PDF
  standard fonts have no ₦), text measuring and wrapping, and the page layout;
- ``rendering``: drawing with reportlab.
"""

from apps.billing.invoice_pdf.document import (
    STATUSES,
    DocumentLine,
    InvoiceDocument,
    Party,
    PaymentInstructions,
    invoice_pdf_cache_key,
    payment_instructions_from_settings,
    seller_from_settings,
)
from apps.billing.invoice_pdf.rendering import render_invoice_pdf

__all__ = [
    "STATUSES",
    "DocumentLine",
    "InvoiceDocument",
    "Party",
    "PaymentInstructions",
    "invoice_pdf_cache_key",
    "payment_instructions_from_settings",
    "render_invoice_pdf",
    "seller_from_settings",
]
