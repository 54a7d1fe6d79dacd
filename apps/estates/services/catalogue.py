"""Estates and their plots."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction

from apps.companies.selectors import company_limits
from apps.core.errors import ConflictError, PaymentRequired
from apps.core.events import publish
from apps.core.writes import duplicate_is_conflict, model_update
from apps.estates import signals
from apps.estates.errors import ErrorCode
from apps.estates.models import Estate, Plot, PlotPurchase, PlotStatus, PurchaseStatus
from apps.estates.read_scopes import catalogue_changed

ESTATE_FIELDS = ("name", "location", "state", "lga", "description", "is_active")
PLOT_FIELDS = ("estate_id", "plot_number", "size_sqm", "price", "status")


def _require_active_subscription(company_id: int) -> None:
    if not company_limits(company_id=company_id).is_active:
        raise PaymentRequired("The company's subscription is not active: renew it to add plots.")


def _duplicate_estate() -> Any:
    return duplicate_is_conflict(
        message="The company already has an estate with this name.",
        code=ErrorCode.DUPLICATE_ESTATE,
        field="name",
    )


def _duplicate_plot() -> Any:
    return duplicate_is_conflict(
        message="The estate already has a plot with this number.",
        code=ErrorCode.DUPLICATE_PLOT,
        field="plot_number",
    )


# --- estates ---------------------------------------------------------------------------------


@transaction.atomic
def estate_create(
    *,
    company_id: int,
    name: str,
    location: str,
    state: str,
    lga: str = "",
    description: str = "",
    is_active: bool = True,
) -> Estate:
    estate = Estate(
        company_id=company_id,
        name=name,
        location=location,
        state=state,
        lga=lga,
        description=description,
        is_active=is_active,
    )
    with _duplicate_estate():
        estate.save()
        catalogue_changed(estate.company_id)
    return estate


@transaction.atomic
def estate_update(*, company_id: int, estate_id: int, data: Mapping[str, Any]) -> Estate:
    """Change an estate's own fields (name, location, state, LGA, description, active)."""
    estate = Estate.objects.for_company(company_id).get_for(estate_id, lock=True)
    with _duplicate_estate():
        estate, _ = model_update(instance=estate, fields=ESTATE_FIELDS, data=data)
    catalogue_changed(company_id)
    return estate


@transaction.atomic
def estate_delete(*, company_id: int, estate_id: int) -> None:
    """Delete an estate with no plots; one with plots is deactivated instead, by the caller."""
    estate = Estate.objects.for_company(company_id).get_for(estate_id, lock=True)
    if Plot.objects.filter(estate=estate).exists():
        raise ConflictError(
            "The estate has plots; deactivate it instead of deleting it.",
            code=ErrorCode.ESTATE_HAS_PLOTS,
        )
    estate.delete()
    catalogue_changed(company_id)


# --- plots -----------------------------------------------------------------------------------


@transaction.atomic
def plot_create(
    *, company_id: int, estate_id: int, plot_number: str, size_sqm: Decimal, price: Decimal
) -> Plot:
    """Add a plot. Plots beyond the plan's included number are allowed (billed as
    overage); a company whose subscription is not active cannot add plots (402)."""
    _require_active_subscription(company_id)
    estate = Estate.objects.for_company(company_id).get_for(estate_id)
    plot = Plot(
        company_id=company_id,
        estate=estate,
        plot_number=plot_number.strip(),
        size_sqm=size_sqm,
        price=price,
    )
    with _duplicate_plot():
        plot.save()
    publish(
        signals.plot_created,
        sender=Plot,
        plot_id=plot.pk,
        company_id=company_id,
        estate_id=estate.pk,
        price=plot.price,
    )
    catalogue_changed(company_id)
    return plot


def _check_status_change(plot: Plot, status: str) -> None:
    if status == plot.status:
        return
    if PlotStatus.SOLD in (status, plot.status):
        raise ConflictError(
            "A plot becomes sold by selling it, and stops being sold by cancelling the sale.",
            code=ErrorCode.INVALID_STATUS_CHANGE,
        )
    if PlotPurchase.objects.filter(plot=plot, status=PurchaseStatus.PENDING).exists():
        raise ConflictError(
            "The plot is held by a pending purchase.", code=ErrorCode.INVALID_STATUS_CHANGE
        )


@transaction.atomic
def plot_update(*, company_id: int, plot_id: int, data: Mapping[str, Any]) -> Plot:
    """Change a plot's number, size, price or estate (one of the company's), or hold it
    (reserved) or release it (available). Sold is reached only by selling."""
    plot = Plot.objects.for_company(company_id).get_for(plot_id, lock=True)
    data = dict(data)
    if "estate_id" in data:
        data["estate_id"] = Estate.objects.for_company(company_id).get_for(data["estate_id"]).pk
    if "plot_number" in data:
        data["plot_number"] = data["plot_number"].strip()
    if "status" in data:
        _check_status_change(plot, data["status"])
    with _duplicate_plot():
        plot, _ = model_update(instance=plot, fields=PLOT_FIELDS, data=data)
    catalogue_changed(company_id)
    return plot


@transaction.atomic
def plot_delete(*, company_id: int, plot_id: int) -> None:
    plot = Plot.objects.for_company(company_id).get_for(plot_id, lock=True)
    if PlotPurchase.objects.filter(plot=plot).exists():
        raise ConflictError(
            "The plot has purchases and cannot be deleted.", code=ErrorCode.PLOT_HAS_PURCHASES
        )
    plot.delete()
    catalogue_changed(company_id)
