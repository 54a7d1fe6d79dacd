"""Estate services: estates, plots, clients, and selling plots."""

from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.services import user_get_or_invite
from apps.companies.selectors import company_limits
from apps.companies.services import membership_end_role, membership_ensure
from apps.core.errors import (
    ConflictError,
    NotFoundError,
    PaymentRequired,
    ValidationFailed,
)
from apps.core.events import publish
from apps.core.roles import Role
from apps.estates import signals
from apps.estates.models import Client, Estate, Plot, PlotPurchase, PlotStatus, PurchaseStatus
from apps.marketers.selectors import affiliation_info
from apps.marketers.services import commission_cancel_for_purchase, commission_earn


class PlotUnavailable(ConflictError):
    code = "plot_unavailable"


def _require_active_subscription(company_id: int) -> None:
    if not company_limits(company_id=company_id).is_active:
        raise PaymentRequired(
            "The company's subscription is not active: renew it to add plots.",
            code="subscription_inactive",
        )


def _get(model: type, company_id: int, pk: int, *, lock: bool = False) -> Any:
    queryset = model.objects.filter(company_id=company_id)
    if lock:
        queryset = queryset.select_for_update()
    try:
        return queryset.get(pk=pk)
    except model.DoesNotExist as exc:
        raise NotFoundError(f"No such {model._meta.verbose_name}.") from exc


def _save_unique(instance: Any, message: str, code: str, field: str) -> None:
    """Save, turning a unique-constraint clash into a clear 409 naming the field."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise ConflictError(message, code=code, details={field: [message]}) from exc


# --- estates ---------------------------------------------------------------------------------

ESTATE_FIELDS = ("name", "location", "state", "lga", "description", "is_active")


@transaction.atomic
def estate_create(*, company_id: int, **fields: Any) -> Estate:
    estate = Estate(company_id=company_id, **fields)
    _save_unique(
        estate, "The company already has an estate with this name.", "duplicate_estate", "name"
    )
    return estate


@transaction.atomic
def estate_update(*, company_id: int, estate_id: int, **fields: Any) -> Estate:
    estate = _get(Estate, company_id, estate_id, lock=True)
    for name, value in fields.items():
        setattr(estate, name, value)
    _save_unique(
        estate, "The company already has an estate with this name.", "duplicate_estate", "name"
    )
    return estate


@transaction.atomic
def estate_delete(*, company_id: int, estate_id: int) -> None:
    """Delete an estate with no plots; one with plots is deactivated instead, by the caller."""
    estate = _get(Estate, company_id, estate_id, lock=True)
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
    estate = _get(Estate, company_id, estate_id)
    plot = Plot(
        company_id=company_id,
        estate=estate,
        plot_number=plot_number.strip(),
        size_sqm=size_sqm,
        price=price,
    )
    _save_unique(plot, DUPLICATE_PLOT, "duplicate_plot", "plot_number")
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
    plot = _get(Plot, company_id, plot_id, lock=True)
    if "estate_id" in fields:
        fields["estate"] = _get(Estate, company_id, fields.pop("estate_id"))
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
    _save_unique(plot, DUPLICATE_PLOT, "duplicate_plot", "plot_number")
    return plot


@transaction.atomic
def plot_delete(*, company_id: int, plot_id: int) -> None:
    plot = _get(Plot, company_id, plot_id, lock=True)
    if PlotPurchase.objects.filter(plot=plot).exists():
        raise ConflictError(
            "The plot has purchases and cannot be deleted.", code="plot_has_purchases"
        )
    plot.delete()


# --- clients ---------------------------------------------------------------------------------


@transaction.atomic
def client_create(
    *,
    company_id: int,
    email: str,
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    address: str = "",
) -> Client:
    """Record a buyer. An existing user (by email) is reused; a new one is invited."""
    user = user_get_or_invite(email=email, first_name=first_name, last_name=last_name, phone=phone)
    client = Client(
        company_id=company_id,
        user=user,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        address=address,
    )
    _save_unique(
        client, "This person is already a client of the company.", "duplicate_client", "email"
    )
    membership_ensure(company_id=company_id, user_id=user.pk, role=Role.CLIENT)
    return client


@transaction.atomic
def client_update(*, company_id: int, client_id: int, **fields: Any) -> Client:
    client = _get(Client, company_id, client_id, lock=True)
    for name, value in fields.items():
        setattr(client, name, value)
    client.save()
    return client


@transaction.atomic
def client_delete(*, company_id: int, client_id: int) -> None:
    client = _get(Client, company_id, client_id, lock=True)
    if PlotPurchase.objects.filter(client=client).exists():
        raise ConflictError(
            "The client has purchases and cannot be deleted.", code="client_has_purchases"
        )
    client.delete()
    membership_end_role(company_id=company_id, user_id=client.user_id, role=Role.CLIENT)


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
    plot = _get(Plot, company_id, plot_id, lock=True)
    client = _get(Client, company_id, client_id)
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
    return purchase


def _locked_purchase(company_id: int, purchase_id: int) -> PlotPurchase:
    purchase = _get(PlotPurchase, company_id, purchase_id, lock=True)
    purchase.plot = Plot.objects.select_for_update().get(pk=purchase.plot_id)
    return purchase


@transaction.atomic
def purchase_complete(*, company_id: int, purchase_id: int) -> PlotPurchase:
    """pending -> completed; completing a completed purchase changes nothing."""
    purchase = _locked_purchase(company_id, purchase_id)
    if purchase.status == PurchaseStatus.COMPLETED:
        return purchase
    if purchase.status != PurchaseStatus.PENDING:
        raise ConflictError("A cancelled purchase cannot be completed.", code="invalid_transition")
    _complete(purchase)
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
    return purchase
