"""Facet counts over a search's results, for the filter sidebar: how many of the
matching plots are in each estate, state, status and price band."""

from decimal import Decimal
from typing import Any

from django.db.models import Case, CharField, Count, QuerySet, Value, When

# Price bands in naira: (key, label, lowest, below).
PRICE_BANDS: tuple[tuple[str, str, Decimal | None, Decimal | None], ...] = (
    ("under_5m", "Under ₦5m", None, Decimal("5000000")),
    ("5m_10m", "₦5m to ₦10m", Decimal("5000000"), Decimal("10000000")),
    ("10m_25m", "₦10m to ₦25m", Decimal("10000000"), Decimal("25000000")),
    ("25m_50m", "₦25m to ₦50m", Decimal("25000000"), Decimal("50000000")),
    ("50m_100m", "₦50m to ₦100m", Decimal("50000000"), Decimal("100000000")),
    ("100m_plus", "₦100m and above", Decimal("100000000"), None),
)


def _band() -> Case:
    """The price band's key of each plot, in SQL."""
    return Case(
        *(
            When(price__lt=below, then=Value(key))
            for key, _, _, below in PRICE_BANDS
            if below is not None
        ),
        default=Value(PRICE_BANDS[-1][0]),
        output_field=CharField(),
    )


def plot_facets(plots: QuerySet) -> dict[str, list[dict[str, Any]]]:
    """Counts of ``plots`` by estate, state, status and price band, from one grouped
    query (one row per estate, status and band that has plots); values without plots
    are left out, bands are always listed."""
    rows = (
        plots.order_by()
        .annotate(price_band=_band())
        .values("estate_id", "estate__name", "estate__state", "status", "price_band")
        .annotate(count=Count("*"))
    )
    estates: dict[tuple[int, str], int] = {}
    states: dict[str, int] = {}
    statuses: dict[str, int] = {}
    bands = dict.fromkeys((key for key, *_ in PRICE_BANDS), 0)
    for row in rows:
        count = row["count"]
        estate = (row["estate_id"], row["estate__name"])
        estates[estate] = estates.get(estate, 0) + count
        states[row["estate__state"]] = states.get(row["estate__state"], 0) + count
        statuses[row["status"]] = statuses.get(row["status"], 0) + count
        bands[row["price_band"]] += count
    by_estate = sorted(estates.items(), key=lambda item: (-item[1], item[0][1], item[0][0]))
    return {
        "estate": [{"id": pk, "name": name, "count": count} for (pk, name), count in by_estate],
        "state": _by_count(states),
        "status": _by_count(statuses),
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


def facets_total(facets: dict[str, list[dict[str, Any]]]) -> int:
    """How many plots the facets counted (every plot has one status)."""
    return sum(row["count"] for row in facets["status"])


def _by_count(counts: dict[str, int]) -> list[dict[str, Any]]:
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [{"value": value, "count": count} for value, count in ordered]
