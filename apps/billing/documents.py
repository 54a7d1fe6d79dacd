"""An invoice as the PDF prints it, and the PDF itself, cached under a key made of
everything printed (so it is never stale)."""

from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone

from apps.billing.invoice_pdf import (
    DocumentLine,
    InvoiceDocument,
    Party,
    invoice_pdf_cache_key,
    payment_instructions_from_settings,
    render_invoice_pdf,
    seller_from_settings,
)
from apps.billing.models import Invoice
from apps.companies.selectors import billing_account

PDF_CACHE_SECONDS = int(timedelta(days=7).total_seconds())


def invoice_document(invoice: Invoice) -> InvoiceDocument:
    account = billing_account(company_id=invoice.company_id)
    return InvoiceDocument(
        number=invoice.number or "DRAFT",
        status=invoice.status,
        issued_on=timezone.localdate(invoice.issued_at) if invoice.issued_at else None,
        due_on=invoice.due_date,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        seller=seller_from_settings(),
        buyer=Party(
            name=account.name,
            address_lines=tuple(line for line in account.address.splitlines() if line.strip()),
            email=account.billing_email,
        ),
        lines=tuple(
            DocumentLine(
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                amount=line.amount,
            )
            for line in invoice.lines.all()
        ),
        subtotal=invoice.subtotal,
        vat_rate=invoice.vat_rate,
        vat=invoice.tax,
        total=invoice.total,
        amount_paid=invoice.amount_paid,
        balance=invoice.balance,
        payment=payment_instructions_from_settings(),
    )


def invoice_pdf(invoice: Invoice) -> bytes:
    """The invoice's PDF, from the cache when nothing printed on it has changed."""
    document = invoice_document(invoice)
    key = invoice_pdf_cache_key(document)
    pdf = cache.get(key)
    if pdf is None:
        pdf = render_invoice_pdf(document)
        cache.set(key, pdf, timeout=PDF_CACHE_SECONDS)
    return pdf


def pdf_filename(invoice: Invoice) -> str:
    return f"{invoice.number or f'DRAFT-{invoice.pk}'}.pdf"
