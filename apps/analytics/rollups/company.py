"""The company reports' roll-ups: each builder replaces one day of one table, for every
company (or those given) with a fixed handful of set-based queries, never one per
company."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q

from apps.analytics.models import (
    AnalyticsEvent,
    CompanyDailyActivity,
    EstateDailySales,
    EventKind,
    MarketerDailyPerformance,
)
from apps.analytics.rollups.bounds import day_bounds
from apps.analytics.rollups.registry import register
from apps.companies import selectors as companies
from apps.core.roles import Role
from apps.estates import selectors as estates
from apps.marketers import selectors as marketers
from apps.usage import selectors as usage

WRITE_BATCH = 2000
EVENT_COUNTS = {
    "logins": EventKind.LOGIN,
    "plot_views": EventKind.PLOT_VIEW,
    "estate_views": EventKind.ESTATE_VIEW,
    "searches": EventKind.SEARCH,
    "exports": EventKind.EXPORT,
}


def _replace(model: type, day: date, company_ids: Sequence[int] | None, rows: list) -> int:
    old = model.objects.filter(day=day)
    if company_ids is not None:
        old = old.filter(company_id__in=company_ids)
    old.delete()
    model.objects.bulk_create(rows, batch_size=WRITE_BATCH)
    return len(rows)


def _events_of(company_ids: Sequence[int] | None) -> object:
    events = AnalyticsEvent.objects.all()
    return events if company_ids is None else events.filter(company_id__in=company_ids)


def _event_counts(day: date, company_ids: Sequence[int] | None) -> dict[int, dict[str, int]]:
    """Per company: each kind's events that day, and the distinct clients viewing plots."""
    start, end = day_bounds(day)
    rows = (
        _events_of(company_ids)
        .filter(occurred_at__gte=start, occurred_at__lt=end)
        .order_by()
        .values("company_id")
        .annotate(
            **{name: Count("pk", filter=Q(kind=kind)) for name, kind in EVENT_COUNTS.items()},
            plot_viewers=Count(
                "user_id", distinct=True, filter=Q(kind=EventKind.PLOT_VIEW, role=Role.CLIENT)
            ),
        )
    )
    return {row.pop("company_id"): row for row in rows}


def _buyers(day: date, company_ids: Sequence[int] | None) -> dict[int, tuple[int, int]]:
    """Per company: distinct buying clients that day, and how many of them had viewed one
    of its plots in the lookback window up to that day."""
    start, end = day_bounds(day)
    buyers = estates.buyers_between(start=start, end=end, company_ids=company_ids)
    with_accounts = {buyer.user_id for buyer in buyers if buyer.user_id is not None}
    viewed: set[tuple[int, int]] = set()
    if with_accounts:
        lookback = day_bounds(day - timedelta(days=settings.ANALYTICS_CONVERSION_LOOKBACK_DAYS - 1))
        accounts = sorted(with_accounts)
        for offset in range(0, len(accounts), 5000):
            viewed.update(
                _events_of(company_ids)
                .filter(
                    kind=EventKind.PLOT_VIEW,
                    user_id__in=accounts[offset : offset + 5000],
                    occurred_at__gte=lookback[0],
                    occurred_at__lt=end,
                )
                .order_by()
                .values_list("company_id", "user_id")
                .distinct()
            )
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for buyer in buyers:
        counts[buyer.company_id][0] += 1
        if buyer.user_id is not None and (buyer.company_id, buyer.user_id) in viewed:
            counts[buyer.company_id][1] += 1
    return {company_id: (total, viewing) for company_id, (total, viewing) in counts.items()}


@register("company_activity")
def build_company_activity(day: date, company_ids: Sequence[int] | None) -> int:
    """A row for every company that existed by the day's end: people's activity, API
    calls, plots and seats against the limits."""
    start, end = day_bounds(day)
    seats = companies.company_seats_before(before=end, company_ids=company_ids)
    ids = [seat.company_id for seat in seats]
    api_calls = usage.api_calls_for_companies(company_ids=ids, start=day, end=day) if ids else {}
    plots = estates.plots_held_before(before=end, company_ids=company_ids)
    new_clients = estates.clients_added_between(start=start, end=end, company_ids=company_ids)
    events = _event_counts(day, company_ids)
    buyers = _buyers(day, company_ids)
    rows = []
    for seat in seats:
        company_id = seat.company_id
        counted = events.get(company_id, {})
        bought, bought_after_viewing = buyers.get(company_id, (0, 0))
        rows.append(
            CompanyDailyActivity(
                company_id=company_id,
                day=day,
                new_clients=new_clients.get(company_id, 0),
                **{name: counted.get(name, 0) for name in EVENT_COUNTS},
                plot_viewers=counted.get("plot_viewers", 0),
                buyers=bought,
                buyers_who_viewed=bought_after_viewing,
                api_calls=api_calls.get(company_id, 0),
                api_calls_daily_limit=seat.max_api_calls_daily,
                plots=plots.get(company_id, 0),
                plots_limit=seat.max_plots,
                members=seat.members,
                marketers=seat.marketers,
                marketers_limit=seat.max_agents,
            )
        )
    return _replace(CompanyDailyActivity, day, company_ids, rows)


@register("estate_sales")
def build_estate_sales(day: date, company_ids: Sequence[int] | None) -> int:
    start, end = day_bounds(day)
    rows: dict[tuple[int, int], EstateDailySales] = {}
    for sales in estates.sales_by_estate_between(start=start, end=end, company_ids=company_ids):
        row = rows.setdefault(
            (sales.company_id, sales.estate_id),
            EstateDailySales(company_id=sales.company_id, estate_id=sales.estate_id, day=day),
        )
        prefix = "completed" if sales.status == "completed" else "pending"
        setattr(row, f"{prefix}_count", sales.count)
        setattr(row, f"{prefix}_value", sales.value)
        setattr(row, f"{prefix}_sqm", sales.sqm)
    return _replace(EstateDailySales, day, company_ids, list(rows.values()))


@register("marketer_performance")
def build_marketer_performance(day: date, company_ids: Sequence[int] | None) -> int:
    start, end = day_bounds(day)
    rows: dict[tuple[int, int], MarketerDailyPerformance] = {}

    def row(company_id: int, affiliation_id: int) -> MarketerDailyPerformance:
        return rows.setdefault(
            (company_id, affiliation_id),
            MarketerDailyPerformance(
                company_id=company_id,
                affiliation_id=affiliation_id,
                day=day,
                sales_value=Decimal("0.00"),
            ),
        )

    for sales in estates.sales_by_affiliation_between(
        start=start, end=end, company_ids=company_ids
    ):
        target = row(sales.company_id, sales.affiliation_id)
        target.sales_count, target.sales_value = sales.count, sales.value
    for movement in marketers.commission_movements_between(
        start=start, end=end, company_ids=company_ids
    ):
        target = row(movement.company_id, movement.affiliation_id)
        target.commission_earned = movement.earned
        target.commission_approved = movement.approved
        target.commission_paid = movement.paid
    return _replace(MarketerDailyPerformance, day, company_ids, list(rows.values()))
