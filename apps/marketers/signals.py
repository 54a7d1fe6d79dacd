"""Events the marketers app publishes (sent on commit through apps.core.events.publish)."""

from django.dispatch import Signal

# affiliation_id, company_id, marketer_user_id
affiliation_requested = Signal()

# affiliation_id, company_id, marketer_user_id, commission_rate (Decimal), decided_by_id
affiliation_approved = Signal()

# affiliation_id, company_id, marketer_user_id, reason, decided_by_id
affiliation_rejected = Signal()

# affiliation_id, company_id, marketer_user_id, reason, decided_by_id
marketer_suspended = Signal()

# affiliation_id, company_id, marketer_user_id, decided_by_id
marketer_reactivated = Signal()

# commission_id, company_id, affiliation_id, purchase_id, amount (Decimal), rate (Decimal)
commission_earned = Signal()

# commission_id, company_id, affiliation_id, amount (Decimal), approved_by_id (or None)
commission_approved = Signal()

# commission_id, company_id, affiliation_id, amount (Decimal), payment_reference
commission_paid = Signal()
