"""Events the companies app publishes (sent on commit through apps.core.events.publish)."""

from django.dispatch import Signal

# company_id, tier, trial_ends_at (datetime or None), admin_user_id
company_created = Signal()

# company_id, old_tier, new_tier, old_status, new_status
subscription_changed = Signal()

# company_id, reason
company_suspended = Signal()

# company_id
company_reactivated = Signal()

# company_id, fields (names of the company's own details that changed: name, billing_email,
# phone, address)
company_settings_changed = Signal()
