"""Selling plots: a purchase locks its plot, and a completed sale through an approved
marketer earns their commission in the same transaction."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apps.core.errors import InvalidTransition, ValidationFailed
from apps.core.events import publish
from apps.estates import signals
from apps.estates.errors import PlotUnavailable
from apps.estates.models import Client, Plot, PlotPurchase, PlotStatus, PurchaseStatus
from apps.estates.read_scopes import catalogue_changed
from apps.marketers.selectors import affiliation_info
from apps.marketers.services import commission_cancel_for_purchase, commission_earn

# --- purchases ---------------------------------------------------------------------------------


def _complete(purchase: PlotPurchase) -> None:
    """Mark the sale complete, the plot sold, and earn the marketer's commission."""
    purchase.status = PurchaseStatus.COMPLETED
    purchase.completed_at = timezone.now()
    purchase.save()
    purchase.plot.status = PlotStatus.SOLD
    purchase.plot.save(update_fields=["status", "updated_at"])
    if purchase.affiliation_id is not None:
        commission_earn(
            company_id=purchase.company_id,
            purchase_id=purchase.pk,
            affiliation_id=purchase.affiliation_id,
            agreed_price=purchase.agreed_price,
        )
    publish(
        signals.plot_purchased,
        sender=PlotPurchase,
        purchase_id=purchase.pk,
        company_id=purchase.company_id,
        plot_id=purchase.plot_id,
        client_id=purchase.client_id,
        affiliation_id=purchase.affiliation_id,
        agreed_price=purchase.agreed_price,
    )


@transaction.atomic
def purchase_create(
    *,
    company_id: int,
    plot_id: int,
    client_id: int,
    affiliation_id: int | None = None,
    agreed_price: Decimal | None = None,
    complete: bool = True,
) -> PlotPurchase:
    """Sell a plot: lock it, refuse it unless available, record the purchase.

    ``complete=False`` records a pending purchase that reserves the plot until it is
    completed or cancelled. Two concurrent sales of one plot give exactly one purchase.
    """
    plot = Plot.objects.for_company(company_id).get_for(plot_id, lock=True)
    client = Client.objects.for_company(company_id).get_for(client_id)
    if affiliation_id is not None:
        affiliation = affiliation_info(company_id=company_id, affiliation_id=affiliation_id)
        if affiliation is None:
            raise ValidationFailed(details={"affiliation": ["No such marketer affiliation."]})
        if not affiliation.is_approved:
            raise ValidationFailed(
                details={"affiliation": [f"The marketer's affiliation is {affiliation.status}."]}
            )
    if plot.status != PlotStatus.AVAILABLE:
        raise PlotUnavailable(
            f"Plot {plot.plot_number} is {plot.status}.", details={"plot_status": plot.status}
        )
    purchase = PlotPurchase.objects.create(
        company_id=company_id,
        plot=plot,
        client=client,
        affiliation_id=affiliation_id,
        agreed_price=plot.price if agreed_price is None else agreed_price,
        status=PurchaseStatus.PENDING,
        purchased_at=timezone.now(),
    )
    if complete:
        _complete(purchase)
    else:
        plot.status = PlotStatus.RESERVED
        plot.save(update_fields=["status", "updated_at"])
    catalogue_changed(company_id)
    return purchase


def _locked_purchase(company_id: int, purchase_id: int) -> PlotPurchase:
    purchase = PlotPurchase.objects.for_company(company_id).get_for(purchase_id, lock=True)
    purchase.plot = Plot.objects.select_for_update().get(pk=purchase.plot_id)
    return purchase


@transaction.atomic
def purchase_complete(*, company_id: int, purchase_id: int) -> PlotPurchase:
    """pending -> completed; completing a completed purchase changes nothing."""
    purchase = _locked_purchase(company_id, purchase_id)
    if purchase.status == PurchaseStatus.COMPLETED:
        return purchase
    if purchase.status != PurchaseStatus.PENDING:
        raise InvalidTransition("A cancelled purchase cannot be completed.")
    _complete(purchase)
    catalogue_changed(company_id)
    return purchase


@transaction.atomic
def purchase_cancel(*, company_id: int, purchase_id: int, reason: str = "") -> PlotPurchase:
    """Cancel a sale: the plot is available again and an unpaid commission is cancelled.

    Cancelling a cancelled purchase changes nothing.
    """
    purchase = _locked_purchase(company_id, purchase_id)
    if purchase.status == PurchaseStatus.CANCELLED:
        return purchase
    commission_cancel_for_purchase(company_id=company_id, purchase_id=purchase.pk)
    purchase.status = PurchaseStatus.CANCELLED
    purchase.cancelled_at = timezone.now()
    purchase.cancel_reason = reason
    purchase.save()
    purchase.plot.status = PlotStatus.AVAILABLE
    purchase.plot.save(update_fields=["status", "updated_at"])
    catalogue_changed(company_id)
    return purchase
