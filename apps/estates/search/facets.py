"""Facet counts over a search's results, for the filter sidebar: how many of the
matching plots are in each estate, state, status and price band."""

from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

# Price bands in naira: (key, label, lowest, below).
PRICE_BANDS: tuple[tuple[str, str, Decimal | None, Decimal | None], ...] = (
    ("under_5m", "Under ₦5m", None, Decimal("5000000")),
    ("5m_10m", "₦5m to ₦10m", Decimal("5000000"), Decimal("10000000")),
    ("10m_25m", "₦10m to ₦25m", Decimal("10000000"), Decimal("25000000")),
    ("25m_50m", "₦25m to ₦50m", Decimal("25000000"), Decimal("50000000")),
    ("50m_100m", "₦50m to ₦100m", Decimal("50000000"), Decimal("100000000")),
    ("100m_plus", "₦100m and above", Decimal("100000000"), None),
)


def _band(lowest: Decimal | None, below: Decimal | None) -> Q:
    band = Q()
    if lowest is not None:
        band &= Q(price__gte=lowest)
    if below is not None:
        band &= Q(price__lt=below)
    return band


def plot_facets(plots: QuerySet) -> dict[str, list[dict[str, Any]]]:
    """Counts of ``plots`` by estate, state, status and price band (four queries); values
    without plots are left out, bands are always listed."""
    plots = plots.order_by()
    estates = (
        plots.values("estate_id", "estate__name")
        .annotate(count=Count("*"))
        .order_by("-count", "estate__name", "estate_id")
    )
    states = (
        plots.values("estate__state").annotate(count=Count("*")).order_by("-count", "estate__state")
    )
    statuses = plots.values("status").annotate(count=Count("*")).order_by("-count", "status")
    bands = plots.aggregate(
        **{key: Count("pk", filter=_band(lowest, below)) for key, _, lowest, below in PRICE_BANDS}
    )
    return {
        "estate": [
            {"id": row["estate_id"], "name": row["estate__name"], "count": row["count"]}
            for row in estates
        ],
        "state": [{"value": row["estate__state"], "count": row["count"]} for row in states],
        "status": [{"value": row["status"], "count": row["count"]} for row in statuses],
        "price_band": [
            {
                "value": key,
                "label": label,
                "min_price": lowest,
                "max_price": below,
                "count": bands[key],
            }
            for key, label, lowest, below in PRICE_BANDS
        ],
    }
