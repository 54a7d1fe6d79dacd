"""Approving due commissions in batches: the nightly beat task and process_commissions."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apps.core.events import publish
from apps.core.row_changes import RowChange, rows_changed_send
from apps.marketers import signals
from apps.marketers.models import AffiliationStatus, CommissionStatus, MarketerEarnedCommission
from apps.marketers.read_scopes import commissions_changed
from apps.marketers.services.commissions import commission_payload


@dataclass(frozen=True, slots=True)
class ProcessSummary:
    approved: int
    still_pending: int
    batches: int
    total_approved_amount: Decimal


def commissions_process(
    *, now: datetime | None = None, min_age: timedelta = timedelta(0), batch_size: int = 500
) -> ProcessSummary:
    """Approve pending commissions earned at least ``min_age`` ago through approved
    affiliations, ``batch_size`` at a time, each batch in its own transaction.

    Rows locked by someone else are skipped this run and picked up by the next one.
    """
    now = now or timezone.now()
    eligible = MarketerEarnedCommission.objects.filter(
        status=CommissionStatus.PENDING,
        affiliation__status=AffiliationStatus.APPROVED,
        created_at__lte=now - min_age,
    )
    approved = batches = 0
    total = Decimal("0.00")
    last_id = 0
    while True:
        with transaction.atomic():
            batch = list(
                eligible.filter(pk__gt=last_id)
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("pk")[:batch_size]
            )
            if not batch:
                break
            batches += 1
            last_id = batch[-1].pk
            for commission in batch:
                commission.status = CommissionStatus.APPROVED
                commission.approved_at = now
                commission.updated_at = now
            MarketerEarnedCommission.objects.bulk_update(
                batch, ["status", "approved_at", "updated_at"]
            )
            rows_changed_send(
                model=MarketerEarnedCommission,
                action="update",
                rows=[
                    RowChange(
                        object_id=commission.pk,
                        company_id=commission.company_id,
                        changes={
                            "status": (CommissionStatus.PENDING.value, commission.status),
                            "approved_at": (None, now.isoformat()),
                        },
                    )
                    for commission in batch
                ],
            )
            for company_id in {commission.company_id for commission in batch}:
                commissions_changed(company_id)
            for commission in batch:
                publish(
                    signals.commission_approved,
                    sender=MarketerEarnedCommission,
                    **commission_payload(commission),
                    approved_by_id=None,
                )
            approved += len(batch)
            total += sum((commission.amount for commission in batch), Decimal("0.00"))
    still_pending = MarketerEarnedCommission.objects.filter(status=CommissionStatus.PENDING).count()
    return ProcessSummary(
        approved=approved, still_pending=still_pending, batches=batches, total_approved_amount=total
    )
