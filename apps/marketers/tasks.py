"""Marketers' scheduled work."""

from dataclasses import asdict
from datetime import timedelta
from typing import Any

from celery import shared_task
from django.conf import settings

from apps.marketers.services import commissions_process


@shared_task(name="marketers.approve_due_commissions")
def approve_due_commissions() -> dict[str, Any]:
    """Nightly: approve pending commissions past the hold period (COMMISSION_HOLD_DAYS).

    Idempotent and safe alongside itself or process_commissions: rows are locked and
    skipped, and an approved commission is not approved again.
    """
    summary = commissions_process(min_age=timedelta(days=settings.COMMISSION_HOLD_DAYS))
    return {**asdict(summary), "total_approved_amount": str(summary.total_approved_amount)}
