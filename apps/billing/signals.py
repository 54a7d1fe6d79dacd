"""Events the billing app publishes (sent on commit through apps.core.events.publish)."""

from django.dispatch import Signal

# invoice_id, company_id, number, total (Decimal), due_date (date), source
invoice_issued = Signal()

# invoice_id, company_id, number, total (Decimal), paid_at (datetime)
invoice_paid = Signal()

# invoice_id, company_id, number, balance (Decimal), due_date (date)
invoice_overdue = Signal()

# invoice_id, company_id, number (or None for a draft), reason, voided_by_id (or None)
invoice_voided = Signal()

# company_id, user_id (or None), kind ("invoice_pdf"), object_id
data_exported = Signal()
