"""Events the usage app publishes (sent on commit through apps.core.events.publish)."""

from django.dispatch import Signal

# company_id, day (date), daily_limit. Sent once per company per day, on the first
# request refused while the company's daily cap is used up (not on a refusal by one
# caller's hour or share while the company still has room).
api_limit_exceeded = Signal()
