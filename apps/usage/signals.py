"""Events the usage app publishes (sent on commit through apps.core.events.publish)."""

from django.dispatch import Signal

# company_id, day (date), daily_limit. Sent once per company per day, on the first
# request refused by the daily cap.
api_limit_exceeded = Signal()
