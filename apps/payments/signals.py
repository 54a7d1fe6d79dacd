"""Events the payments app publishes (sent on commit through apps.core.events.publish)."""

from django.dispatch import Signal

# payment_id, company_id, invoice_id, amount (Decimal), method, invoice_paid (bool)
payment_succeeded = Signal()

# payment_id, company_id, invoice_id (or None), amount (Decimal), method, reason
payment_failed = Signal()

# company_id, tier, subscription_id
checkout_completed = Signal()

# company_id, reason, at_period_end (bool)
subscription_cancelled = Signal()
