"""Read-side of estates for other apps: ids and counts, never ORM rows."""

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, Sum

from apps.core.aggregates import counts_by
from apps.core.emails import normalize_email
from apps.core.money import round_kobo
from apps.core.read_versions import (
    READ_CACHE_TIMEOUT,
    cached_under_versions,
    kept_in_process,
    read_version,
)
from apps.estates.models import (
    Client,
    ClientInvitation,
    Estate,
    Plot,
    PlotPurchase,
    PlotStatus,
    PurchaseStatus,
)
from apps.estates.read_scopes import CATALOGUE
from apps.estates.search.criteria import (
    FILTER_NAMES,
    PlotSearchCriteria,
    PlotToMatch,
    criteria_clean,
    plot_to_match,
)
from apps.estates.search.terms import normalized_term

# The plot search's filters a saved search may keep.
PLOT_SEARCH_FILTER_NAMES = FILTER_NAMES


@dataclass(frozen=True, slots=True)
class EstatePlotCounts:
    plots: int
    available: int


NO_PLOTS = EstatePlotCounts(plots=0, available=0)


def plot_id_for_number(*, company_id: int, estate_id: int, plot_number: str) -> int | None:
    return (
        Plot.objects.filter(company_id=company_id, estate_id=estate_id, plot_number=plot_number)
        .values_list("pk", flat=True)
        .first()
    )


def client_id_for_email(*, company_id: int, email: str) -> int | None:
    return (
        Client.objects.filter(company_id=company_id, email=normalize_email(email))
        .values_list("pk", flat=True)
        .first()
    )


def client_open_invitation_id(*, company_id: int, client_id: int) -> int | None:
    """The client's invitation still waiting to be accepted, if any."""
    return (
        ClientInvitation.objects.filter(
            company_id=company_id,
            client_id=client_id,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        )
        .values_list("pk", flat=True)
        .first()
    )


def plot_counts_by_estate(*, company_id: int) -> dict[int, EstatePlotCounts]:
    """Each of the company's estates' plots, all and available (estates without plots are
    absent): one grouped query per write to the catalogue, then from the cache."""
    version = read_version(CATALOGUE, company_id)
    key = f"plotcounts:{company_id}:{version}"
    counts = cache.get(key) if version else None
    if counts is None:
        rows = (
            Plot.objects.filter(company_id=company_id)
            .values("estate_id")
            .annotate(
                plots=Count("*"), available=Count("id", filter=Q(status=PlotStatus.AVAILABLE))
            )
            .values_list("estate_id", "plots", "available")
        )
        counts = {
            estate_id: EstatePlotCounts(plots, available) for estate_id, plots, available in rows
        }
        if version:
            cache.set(key, counts, READ_CACHE_TIMEOUT)
    return counts


def plots_count(*, company_id: int, at: datetime | None = None) -> int:
    """How many plots the company has (had, at ``at``): what plot overage is billed on.
    The count now is the sum of ``plot_counts_by_estate``, which the cache keeps."""
    if at is None:
        return sum(counts.plots for counts in plot_counts_by_estate(company_id=company_id).values())
    return Plot.objects.filter(company_id=company_id, created_at__lte=at).count()


def plots_count_for_companies(*, company_ids: Iterable[int], at: datetime) -> dict[int, int]:
    """Plots each company had at ``at``, in one query (companies with none give 0)."""
    ids = set(company_ids)
    counts = dict.fromkeys(ids, 0)
    rows = (
        Plot.objects.filter(company_id__in=ids, created_at__lte=at)
        .values("company_id")
        # COUNT(*), not of the id, so the (company, created_at) index alone answers it.
        .annotate(count=Count("*"))
        .values_list("company_id", "count")
    )
    counts.update(rows)
    return counts


@dataclass(frozen=True, slots=True)
class SalesSummary:
    sales: int
    revenue: Decimal  # the sum of the sales' agreed prices


NO_SALES = SalesSummary(sales=0, revenue=Decimal("0.00"))


def sales_summary_for_companies(
    *, company_ids: Iterable[int], start: datetime, end: datetime
) -> dict[int, SalesSummary]:
    """Each company's sales completed in [``start``, ``end``) and not cancelled since: how
    many and their agreed prices summed, in one query (companies without any: zeros).

    A sale counts when it completes (what earns the marketer's commission); a purchase
    still pending is a reservation, not a sale."""
    ids = set(company_ids)
    summaries = dict.fromkeys(ids, NO_SALES)
    rows = (
        PlotPurchase.objects.filter(
            company_id__in=ids,
            status=PurchaseStatus.COMPLETED,
            completed_at__gte=start,
            completed_at__lt=end,
        )
        .order_by()
        .values("company_id")
        .annotate(sales=Count("*"), revenue=Sum("agreed_price"))
        .values_list("company_id", "sales", "revenue")
    )
    for company_id, sales, revenue in rows:
        summaries[company_id] = SalesSummary(sales=sales, revenue=round_kobo(revenue))
    return summaries


def clients_added_for_companies(
    *, company_ids: Iterable[int], start: datetime, end: datetime
) -> dict[int, int]:
    """How many clients each company recorded in [``start``, ``end``), in one query."""
    ids = set(company_ids)
    counts = dict.fromkeys(ids, 0)
    counts.update(
        Client.objects.filter(company_id__in=ids, created_at__gte=start, created_at__lt=end)
        .order_by()
        .values("company_id")
        .annotate(count=Count("*"))
        .values_list("company_id", "count")
    )
    return counts


def plot_search_criteria_clean(*, query: str, filters: Mapping[str, Any]) -> PlotSearchCriteria:
    """A query and filters validated as the plot search validates them (a saved search's);
    ValidationFailed naming each bad or unknown filter otherwise."""
    return criteria_clean(query=query, filters=filters)


def plot_for_search_matching(
    *, company_id: int, plot_id: int, with_vector: bool = False
) -> PlotToMatch | None:
    """The plot's values that saved searches filter on, its searchable text and (on
    PostgreSQL, if asked) its stored search vector; None if the company has no such plot."""
    return plot_to_match(company_id=company_id, plot_id=plot_id, with_vector=with_vector)


def plot_search_term_normalize(*, text: str) -> str:
    """A typed query as search analytics counts it: its words, lower-cased, one space."""
    return normalized_term(text)


@dataclass(frozen=True, slots=True)
class CatalogueStats:
    estates: int
    plots: dict[str, int]  # by status, every status present
    clients: int
    sales: dict[str, int]  # purchases by status, every status present
    sales_value: Decimal  # the agreed prices of the completed sales, summed


def estate_names(
    *, company_id: int, catalogue_version: str | None, ids: Collection[int]
) -> dict[int, str]:
    """The names of the company's estates by id, at least those of ``ids``: kept in the
    process and the cache under the catalogue's version (``catalogue_version``, as the
    request read it), so a list page shows them without joining the estates."""

    def load() -> dict[int, str]:
        return dict(Estate.objects.filter(company_id=company_id).values_list("pk", "name"))

    names = kept_in_process(
        "estate-names",
        company_id,
        catalogue_version,
        lambda: cached_under_versions("estate-names", company_id, [CATALOGUE], load),
    )
    # An estate made since the version was read (or the cache down): read afresh.
    return names if names.keys() >= set(ids) else load()


def catalogue_stats(*, company_id: int) -> CatalogueStats:
    """The company's estates, plots by status, clients and sales by status with the
    completed sales' value: four small grouped queries per write to the catalogue, then
    from the cache (one round trip)."""
    return cached_under_versions(
        "catalogue-stats", company_id, [CATALOGUE], lambda: _catalogue_stats(company_id)
    )


def _catalogue_stats(company_id: int) -> CatalogueStats:
    plots = counts_by(Plot.objects.filter(company_id=company_id), "status", PlotStatus.values)
    sales = dict.fromkeys(PurchaseStatus.values, 0)
    value = Decimal("0")
    for status, count, total in (
        PlotPurchase.objects.filter(company_id=company_id)
        .order_by()
        .values("status")
        .annotate(count=Count("*"), total=Sum("agreed_price"))
        .values_list("status", "count", "total")
    ):
        sales[status] = count
        if status == PurchaseStatus.COMPLETED:
            value = total or Decimal("0")
    return CatalogueStats(
        estates=Estate.objects.filter(company_id=company_id).count(),
        plots=plots,
        clients=Client.objects.filter(company_id=company_id).count(),
        sales=sales,
        sales_value=round_kobo(value),
    )


# --- daily figures for analytics' roll-ups (every company at once) ------------------------


@dataclass(frozen=True, slots=True)
class EstateDaySales:
    """One company's sales of one estate in a time range, by their status now."""

    company_id: int
    estate_id: int
    status: str  # "completed" (by completion time) or "pending" (by purchase time)
    count: int
    value: Decimal
    sqm: Decimal


@dataclass(frozen=True, slots=True)
class AffiliationDaySales:
    company_id: int
    affiliation_id: int
    count: int
    value: Decimal


@dataclass(frozen=True, slots=True)
class Buyer:
    company_id: int
    client_id: int
    user_id: int | None  # the client's account, if it has joined


def _of(queryset: Any, company_ids: Collection[int] | None) -> Any:
    return queryset if company_ids is None else queryset.filter(company_id__in=company_ids)


def sales_by_estate_between(
    *, start: datetime, end: datetime, company_ids: Collection[int] | None = None
) -> list[EstateDaySales]:
    """Sales completed in [``start``, ``end``) and still completed, and purchases made
    then and still pending, by company and estate (two queries for every company)."""
    figures = {
        "count": Count("*"),
        "value": Sum("agreed_price"),
        "sqm": Sum("plot__size_sqm"),
    }
    completed = _of(
        PlotPurchase.objects.filter(
            status=PurchaseStatus.COMPLETED, completed_at__gte=start, completed_at__lt=end
        ),
        company_ids,
    )
    pending = _of(
        PlotPurchase.objects.filter(
            status=PurchaseStatus.PENDING, purchased_at__gte=start, purchased_at__lt=end
        ),
        company_ids,
    )
    rows = []
    for status, queryset in (
        (PurchaseStatus.COMPLETED, completed),
        (PurchaseStatus.PENDING, pending),
    ):
        grouped = (
            queryset.order_by()
            .values("company_id", "plot__estate_id")
            .annotate(**figures)
            .values_list("company_id", "plot__estate_id", "count", "value", "sqm")
        )
        rows += [
            EstateDaySales(
                company_id=company_id,
                estate_id=estate_id,
                status=str(status),
                count=count,
                value=round_kobo(value),
                sqm=round_kobo(sqm),
            )
            for company_id, estate_id, count, value, sqm in grouped
        ]
    return rows


def sales_by_affiliation_between(
    *, start: datetime, end: datetime, company_ids: Collection[int] | None = None
) -> list[AffiliationDaySales]:
    """Sales made through a marketer, completed in [``start``, ``end``) and still
    completed, by company and affiliation, in one query."""
    grouped = (
        _of(
            PlotPurchase.objects.filter(
                status=PurchaseStatus.COMPLETED,
                completed_at__gte=start,
                completed_at__lt=end,
                affiliation_id__isnull=False,
            ),
            company_ids,
        )
        .order_by()
        .values("company_id", "affiliation_id")
        .annotate(count=Count("*"), value=Sum("agreed_price"))
        .values_list("company_id", "affiliation_id", "count", "value")
    )
    return [
        AffiliationDaySales(
            company_id=company_id,
            affiliation_id=affiliation_id,
            count=count,
            value=round_kobo(value),
        )
        for company_id, affiliation_id, count, value in grouped
    ]


def buyers_between(
    *, start: datetime, end: datetime, company_ids: Collection[int] | None = None
) -> list[Buyer]:
    """The clients who made a purchase in [``start``, ``end``) that is not cancelled, each
    once per company, in one query."""
    rows = (
        _of(
            PlotPurchase.objects.filter(purchased_at__gte=start, purchased_at__lt=end).exclude(
                status=PurchaseStatus.CANCELLED
            ),
            company_ids,
        )
        .order_by()
        .values_list("company_id", "client_id", "client__user_id")
        .distinct()
    )
    return [Buyer(company_id=c, client_id=client, user_id=user) for c, client, user in rows]


def clients_added_between(
    *, start: datetime, end: datetime, company_ids: Collection[int] | None = None
) -> dict[int, int]:
    """Clients recorded in [``start``, ``end``), per company that recorded any (one query)."""
    return dict(
        _of(Client.objects.filter(created_at__gte=start, created_at__lt=end), company_ids)
        .order_by()
        .values("company_id")
        .annotate(count=Count("*"))
        .values_list("company_id", "count")
    )


def plots_held_before(
    *, before: datetime, company_ids: Collection[int] | None = None
) -> dict[int, int]:
    """Plots each company had just before ``before``, per company that had any (one query)."""
    return dict(
        _of(Plot.objects.filter(created_at__lt=before), company_ids)
        .order_by()
        .values("company_id")
        .annotate(count=Count("*"))
        .values_list("company_id", "count")
    )


def estate_names_for(*, company_id: int, estate_ids: Iterable[int]) -> dict[int, str]:
    """The company's estates' names by id, in one query (others' ids are left out)."""
    return dict(
        Estate.objects.filter(company_id=company_id, pk__in=set(estate_ids)).values_list(
            "pk", "name"
        )
    )
