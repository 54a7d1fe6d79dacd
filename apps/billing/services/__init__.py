"""Billing services: the public face other apps, the views, the admin and the tasks use.

- invoicing: invoices written from the calculator, issued, paid, voided;
- monthly_run: the monthly invoices for offline payers;
- dunning: overdue invoices, suspension and reactivation;
- credits: credits given by billing staff (and overpayments);
- card_invoices: card payers' invoices, adjusted and mirrored from the gateway.
"""

from apps.billing.periods import Period
from apps.billing.services.card_invoices import (
    Adjustment,
    CardInvoice,
    CardInvoiceLine,
    card_invoice_adjustments,
    card_invoice_mirror,
)
from apps.billing.services.credits import credit_create, credit_update
from apps.billing.services.dunning import (
    UNPAID_INVOICES,
    DunningSummary,
    company_settle_if_paid_up,
    dunning_run,
)
from apps.billing.services.invoicing import (
    InvoicePdf,
    PaymentApplied,
    invoice_apply_payment,
    invoice_issue,
    invoice_pdf_download,
    invoice_raise,
    invoice_void,
)
from apps.billing.services.monthly_run import RunSummary, monthly_invoices_generate

__all__ = [
    "UNPAID_INVOICES",
    "Adjustment",
    "CardInvoice",
    "CardInvoiceLine",
    "DunningSummary",
    "InvoicePdf",
    "PaymentApplied",
    "Period",
    "RunSummary",
    "card_invoice_adjustments",
    "card_invoice_mirror",
    "company_settle_if_paid_up",
    "credit_create",
    "credit_update",
    "dunning_run",
    "invoice_apply_payment",
    "invoice_issue",
    "invoice_pdf_download",
    "invoice_raise",
    "invoice_void",
    "monthly_invoices_generate",
]
