"""Events the billing app publishes (sent on commit through apps.core.events.publish)."""

from django.dispatch import Signal

# invoice_id, company_id, number, total (Decimal), due_date (date), source, in_batch (bool:
# also announced by invoices_issued, with the others written together)
invoice_issued = Signal()

# invoice_ids (list): the invoices one write issued together (a batch of the monthly run, a
# raised invoice), for subscribers that handle many at once; each also has its
# invoice_issued (and, if credits paid it, its invoice_paid), with in_batch True
invoices_issued = Signal()

# invoice_id, company_id, number, total (Decimal), paid_at (datetime), in_batch (bool: paid
# as it was issued, by credits, and announced by invoices_issued with its batch)
invoice_paid = Signal()

# invoice_id, company_id, number, balance (Decimal), due_date (date)
invoice_overdue = Signal()

# invoice_id, company_id, number (or None for a draft), reason, voided_by_id (or None)
invoice_voided = Signal()

# company_id, user_id (or None), kind ("invoice_pdf"), object_id
data_exported = Signal()
