import logging

from celery import shared_task

from apps.audit.receivers import invoices_generated_record
from apps.audit.services import audit_retention_apply

logger = logging.getLogger(__name__)


@shared_task(
    name="audit.cleanup_audit_logs", acks_late=True, max_retries=3, default_retry_delay=600
)
def cleanup_audit_logs() -> int:
    """Daily: delete what each company's tier no longer keeps. Safe to repeat."""
    results = audit_retention_apply()
    deleted = sum(result.deleted for result in results)
    logger.info("Audit retention deleted %d entries in %d chains", deleted, len(results))
    return deleted


@shared_task(name="audit.record_invoices_generated", acks_late=True, max_retries=5)
def record_invoices_generated(
    *, invoice_ids: list[int], actor_id: int | None, actor_kind: str, request_id: str | None
) -> None:
    """The invoice_generated entries of one issued batch; safe to run again."""
    invoices_generated_record(
        invoice_ids=invoice_ids, actor_id=actor_id, actor_kind=actor_kind, request_id=request_id
    )
