"""The billing admin, for our billing staff: invoices (read, and changed only through
the billing and payments services) and credits. Registered on import."""

from apps.billing.admin.credits import CreditAdmin
from apps.billing.admin.invoices import InvoiceAdmin

__all__ = ["CreditAdmin", "InvoiceAdmin"]
