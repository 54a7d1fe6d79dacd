"""Events the payments app publishes (sent on commit through apps.core.events.publish)."""

from django.dispatch import Signal

# payment_id, company_id, invoice_id, amount (Decimal), method, invoice_paid (bool)
payment_succeeded = Signal()
