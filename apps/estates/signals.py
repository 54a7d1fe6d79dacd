"""Events the estates app publishes (sent on commit through apps.core.events.publish)."""

from django.dispatch import Signal

# plot_id, company_id, estate_id, price (Decimal)
plot_created = Signal()

# purchase_id, company_id, plot_id, client_id, affiliation_id (or None), agreed_price (Decimal)
plot_purchased = Signal()
