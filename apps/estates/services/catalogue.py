"""Estates and their plots."""

from decimal import Decimal
from typing import Any

from django.db import transaction

from apps.companies.selectors import company_limits
from apps.core.errors import ConflictError, PaymentRequired
from apps.core.events import publish
from apps.estates import signals
from apps.estates.models import Estate, Plot, PlotPurchase, PlotStatus, PurchaseStatus
from apps.estates.services.rows import get_for_company, save_unique


def _require_active_subscription(company_id: int) -> None:
    if not company_limits(company_id=company_id).is_active:
        raise PaymentRequired(
            "The company's subscription is not active: renew it to add plots.",
            code="subscription_inactive",
        )


# --- estates ---------------------------------------------------------------------------------

ESTATE_FIELDS = ("name", "location", "state", "lga", "description", "is_active")


@transaction.atomic
def estate_create(*, company_id: int, **fields: Any) -> Estate:
    estate = Estate(company_id=company_id, **fields)
    save_unique(
        estate, "The company already has an estate with this name.", "duplicate_estate", "name"
    )
    return estate


@transaction.atomic
def estate_update(*, company_id: int, estate_id: int, **fields: Any) -> Estate:
    estate = get_for_company(Estate, company_id, estate_id, lock=True)
    for name, value in fields.items():
        setattr(estate, name, value)
    save_unique(
        estate, "The company already has an estate with this name.", "duplicate_estate", "name"
    )
    return estate


@transaction.atomic
def estate_delete(*, company_id: int, estate_id: int) -> None:
    """Delete an estate with no plots; one with plots is deactivated instead, by the caller."""
    estate = get_for_company(Estate, company_id, estate_id, lock=True)
    if Plot.objects.filter(estate=estate).exists():
        raise ConflictError(
            "The estate has plots; deactivate it instead of deleting it.", code="estate_has_plots"
        )
    estate.delete()


# --- plots -----------------------------------------------------------------------------------

DUPLICATE_PLOT = "The estate already has a plot with this number."


@transaction.atomic
def plot_create(
    *, company_id: int, estate_id: int, plot_number: str, size_sqm: Decimal, price: Decimal
) -> Plot:
    """Add a plot. Plots beyond the plan's included number are allowed (billed as
    overage); a company whose subscription is not active cannot add plots (402)."""
    _require_active_subscription(company_id)
    estate = get_for_company(Estate, company_id, estate_id)
    plot = Plot(
        company_id=company_id,
        estate=estate,
        plot_number=plot_number.strip(),
        size_sqm=size_sqm,
        price=price,
    )
    save_unique(plot, DUPLICATE_PLOT, "duplicate_plot", "plot_number")
    publish(
        signals.plot_created,
        sender=Plot,
        plot_id=plot.pk,
        company_id=company_id,
        estate_id=estate.pk,
        price=plot.price,
    )
    return plot


@transaction.atomic
def plot_update(*, company_id: int, plot_id: int, **fields: Any) -> Plot:
    """Change a plot's number, size, price or estate, or hold it (reserved) or release it
    (available). Sold is reached only by selling."""
    plot = get_for_company(Plot, company_id, plot_id, lock=True)
    if "estate_id" in fields:
        fields["estate"] = get_for_company(Estate, company_id, fields.pop("estate_id"))
    status = fields.get("status")
    if status is not None and status != plot.status:
        if PlotStatus.SOLD in (status, plot.status):
            raise ConflictError(
                "A plot becomes sold by selling it, and stops being sold by cancelling the sale.",
                code="invalid_status_change",
            )
        if PlotPurchase.objects.filter(plot=plot, status=PurchaseStatus.PENDING).exists():
            raise ConflictError(
                "The plot is held by a pending purchase.", code="invalid_status_change"
            )
    for name, value in fields.items():
        setattr(plot, name, value)
    save_unique(plot, DUPLICATE_PLOT, "duplicate_plot", "plot_number")
    return plot


@transaction.atomic
def plot_delete(*, company_id: int, plot_id: int) -> None:
    plot = get_for_company(Plot, company_id, plot_id, lock=True)
    if PlotPurchase.objects.filter(plot=plot).exists():
        raise ConflictError(
            "The plot has purchases and cannot be deleted.", code="plot_has_purchases"
        )
    plot.delete()
