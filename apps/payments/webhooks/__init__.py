"""Gateway webhooks: verified and stored once (intake), then processed in Celery, each
event by its handler in one transaction (processing, handlers)."""

from apps.payments.webhooks.intake import webhook_receive
from apps.payments.webhooks.processing import ProcessOutcome, stalled_event_ids, webhook_process

__all__ = ["ProcessOutcome", "stalled_event_ids", "webhook_process", "webhook_receive"]
