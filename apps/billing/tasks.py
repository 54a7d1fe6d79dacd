"""Billing's scheduled work, on beat in Africa/Lagos time."""

from dataclasses import asdict
from typing import Any

from celery import shared_task
from django.utils import timezone

from apps.billing.periods import Period
from apps.billing.services import dunning_run, monthly_invoices_generate


@shared_task(name="billing.generate_monthly_invoices")
def generate_monthly_invoices() -> dict[str, Any]:
    """On the 1st: invoice the offline payers for the month that just ended. Idempotent:
    a company already invoiced for the period is skipped."""
    summary = monthly_invoices_generate(period=Period.previous_month(timezone.localdate()))
    return {
        "period": summary.period.start.isoformat(),
        "invoiced": summary.invoiced,
        "already_invoiced": summary.already_invoiced,
        "total_invoiced": str(summary.total_invoiced),
    }


@shared_task(name="billing.run_dunning")
def run_dunning() -> dict[str, int]:
    """Daily: mark invoices overdue past their due date, suspend companies past grace."""
    return asdict(dunning_run())
