"""Files some emails carry: the invoice PDF with "invoice issued"."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from apps.billing.selectors import invoice_pdf
from apps.notifications.categories import Category


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str


def attachments_for(category: str, context: Mapping[str, Any]) -> list[Attachment]:
    """What an email of ``category`` carries, made when it is sent (never kept in the outbox)."""
    if category == Category.INVOICE_ISSUED:
        pdf = invoice_pdf(invoice_id=context["invoice_id"])
        return [Attachment(pdf.filename, pdf.content, "application/pdf")]
    return []
