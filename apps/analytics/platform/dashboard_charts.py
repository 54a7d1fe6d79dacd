"""The staff dashboard's charts: each report turned into a chart spec (drawn by
static/analytics/dashboard.js with Chart.js) and the table of its numbers."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from apps.analytics.platform.reports.churn import ChurnReport
from apps.analytics.platform.reports.revenue import RevenueReport
from apps.analytics.platform.reports.usage import UsageReport

TIER_COLOURS = {"starter": "#60a5fa", "professional": "#2563eb", "enterprise": "#1e3a8a"}
COLOURS = {
    "total": "#111827",
    "new": "#16a34a",
    "expansion": "#4ade80",
    "reactivation": "#a3e635",
    "contraction": "#f97316",
    "churned": "#dc2626",
    "cash": "#16a34a",
    "outstanding": "#f59e0b",
    "overdue": "#dc2626",
    "logo": "#7c3aed",
    "gross": "#dc2626",
    "net": "#f97316",
}
COHORT_COLOURS = ("#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2", "#db2777")


@dataclass
class Chart:
    id: str
    title: str
    kind: str  # bar or line (a bar chart may carry line datasets)
    labels: list[str]
    value_format: str  # naira, percent or count
    columns: list[str]
    rows: list[list[str]]
    datasets: list[dict[str, Any]] = field(default_factory=list)
    stacked: bool = False
    horizontal: bool = False
    note: str = ""

    def spec(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "labels": self.labels,
            "datasets": self.datasets,
            "valueFormat": self.value_format,
            "stacked": self.stacked,
            "horizontal": self.horizontal,
        }


def naira(value: Decimal) -> str:
    return f"₦{value:,.2f}"


def percent(value: Decimal | None) -> str:
    return "-" if value is None else f"{value * 100:.1f} %"


def _number(value: Decimal | int | None) -> float | None:
    return None if value is None else float(value)


def _dataset(label: str, values: list[Any], colour: str, kind: str = "bar", **extra: Any) -> dict:
    return {
        "label": label,
        "data": [_number(value) for value in values],
        "colour": colour,
        "type": kind,
        **extra,
    }


def mrr_by_tier(report: RevenueReport) -> Chart:
    labels = [row["period"] for row in report.periods]
    tiers = list(dict.fromkeys(row["tier"] for row in report.by_tier))
    per_tier: dict[str, list[Decimal]] = defaultdict(list)
    for row in report.by_tier:
        per_tier[row["tier"]].append(row["mrr"])
    totals = [row["mrr"] for row in report.periods]
    datasets = [
        _dataset(tier.title(), per_tier[tier], TIER_COLOURS.get(tier, "#94a3b8"), stack="mrr")
        for tier in tiers
    ]
    datasets.append(_dataset("Total MRR", totals, COLOURS["total"], kind="line"))
    rows = [
        [label, *(naira(per_tier[tier][n]) for tier in tiers), naira(row["mrr"]), naira(row["arr"])]
        for n, (label, row) in enumerate(zip(labels, report.periods, strict=True))
    ]
    return Chart(
        id="mrr",
        title="MRR by tier",
        kind="bar",
        labels=labels,
        value_format="naira",
        columns=["Period", *(tier.title() for tier in tiers), "MRR", "ARR"],
        rows=rows,
        datasets=datasets,
        stacked=True,
        note="Monthly recurring revenue at each period's end: plan fees, VAT excluded.",
    )


def mrr_movements(report: RevenueReport) -> Chart:
    periods = report.periods
    gains = ("new", "expansion", "reactivation")
    losses = ("contraction", "churned")
    datasets = [
        _dataset(name.title(), [row[f"{name}_mrr"] for row in periods], COLOURS[name], stack="m")
        for name in gains
    ] + [
        _dataset(name.title(), [-row[f"{name}_mrr"] for row in periods], COLOURS[name], stack="m")
        for name in losses
    ]
    datasets.append(
        _dataset("Net new", [row["net_new_mrr"] for row in periods], COLOURS["total"], "line")
    )
    return Chart(
        id="movements",
        title="MRR movements",
        kind="bar",
        labels=[row["period"] for row in periods],
        value_format="naira",
        columns=[
            "Period",
            "Opening",
            "New",
            "Expansion",
            "Reactivation",
            "Contraction",
            "Churned",
            "Net new",
            "Closing",
        ],
        rows=[
            [
                row["period"],
                *(
                    naira(row[name])
                    for name in (
                        "opening_mrr",
                        "new_mrr",
                        "expansion_mrr",
                        "reactivation_mrr",
                        "contraction_mrr",
                        "churned_mrr",
                        "net_new_mrr",
                        "mrr",
                    )
                ),
            ]
            for row in periods
        ],
        datasets=datasets,
        stacked=True,
    )


def cash(report: RevenueReport) -> Chart:
    periods = report.periods
    return Chart(
        id="cash",
        title="Cash collected and receivables",
        kind="bar",
        labels=[row["period"] for row in periods],
        value_format="naira",
        columns=["Period", "Cash collected", "Outstanding at end", "Overdue at end"],
        rows=[
            [
                row["period"],
                naira(row["cash_collected"]),
                naira(row["outstanding"]),
                naira(row["overdue"]),
            ]
            for row in periods
        ],
        datasets=[
            _dataset("Cash collected", [r["cash_collected"] for r in periods], COLOURS["cash"]),
            _dataset(
                "Outstanding", [r["outstanding"] for r in periods], COLOURS["outstanding"], "line"
            ),
            _dataset("Overdue", [r["overdue"] for r in periods], COLOURS["overdue"], "line"),
        ],
        note="Payments received (VAT included); invoices unpaid at each period's end.",
    )


def churn_rates(report: ChurnReport) -> Chart:
    periods = report.periods

    def series(name: str) -> list[Any]:
        return [None if row[name] is None else row[name] * 100 for row in periods]

    return Chart(
        id="churn",
        title="Churn rates",
        kind="line",
        labels=[row["period"] for row in periods],
        value_format="percent",
        columns=[
            "Period",
            "Paying at start",
            "Churned",
            "Logo churn",
            "Gross revenue churn",
            "Net revenue churn",
            "Cancelled",
            "Suspended",
        ],
        rows=[
            [
                row["period"],
                str(row["opening_paying"]),
                str(row["churned_companies"]),
                percent(row["logo_churn_rate"]),
                percent(row["gross_revenue_churn_rate"]),
                percent(row["net_revenue_churn_rate"]),
                str(row["cancellations"]),
                str(row["suspensions"]),
            ]
            for row in periods
        ],
        datasets=[
            _dataset("Logo churn", series("logo_churn_rate"), COLOURS["logo"], "line"),
            _dataset(
                "Gross revenue churn", series("gross_revenue_churn_rate"), COLOURS["gross"], "line"
            ),
            _dataset("Net revenue churn", series("net_revenue_churn_rate"), COLOURS["net"], "line"),
        ],
    )


def conversion(report: ChurnReport) -> Chart:
    rows = report.trial_conversion
    return Chart(
        id="conversion",
        title="Trial-to-paid conversion by signup month",
        kind="bar",
        labels=[row["signup_month"] for row in rows],
        value_format="percent",
        columns=["Signup month", "Trials", "Converted", "Conversion"],
        rows=[
            [
                row["signup_month"],
                str(row["trials"]),
                str(row["converted"]),
                percent(row["conversion_rate"]),
            ]
            for row in rows
        ],
        datasets=[
            _dataset(
                "Converted",
                [
                    None if r["conversion_rate"] is None else r["conversion_rate"] * 100
                    for r in rows
                ],
                COLOURS["new"],
            )
        ],
    )


def cohorts(rows: list[dict[str, Any]]) -> Chart:
    by_cohort: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
    for row in rows:
        by_cohort[row["cohort"]][row["months_since_signup"]] = row
    longest = max((len(months) for months in by_cohort.values()), default=0)
    datasets = [
        _dataset(
            cohort,
            [
                (months[n]["retention_rate"] or 0) * 100 if n in months else None
                for n in range(longest)
            ],
            COHORT_COLOURS[index % len(COHORT_COLOURS)],
            "line",
        )
        for index, (cohort, months) in enumerate(sorted(by_cohort.items()))
    ]
    table = [
        [
            cohort,
            str(next(iter(months.values()))["companies"]),
            *(percent(months[n]["retention_rate"]) if n in months else "" for n in range(longest)),
        ]
        for cohort, months in sorted(by_cohort.items())
    ]
    return Chart(
        id="cohorts",
        title="Cohort retention (share paying, by signup month)",
        kind="line",
        labels=[f"Month {n}" for n in range(longest)],
        value_format="percent",
        columns=["Cohort", "Companies", *(f"M{n}" for n in range(longest))],
        rows=table,
        datasets=datasets,
    )


def heaviest(report: UsageReport) -> Chart:
    rows = report.heaviest
    return Chart(
        id="api",
        title="Heaviest API users",
        kind="bar",
        labels=[row["company_name"] for row in rows],
        value_format="count",
        columns=["Company", "Tier", "API calls", "Busiest day", "Daily cap"],
        rows=[
            [
                row["company_name"],
                row["tier"],
                f"{row['api_calls']:,}",
                f"{row['peak_day_calls']:,}",
                f"{row['api_daily_cap']:,}",
            ]
            for row in rows
        ],
        datasets=[_dataset("API calls", [row["api_calls"] for row in rows], "#0891b2")],
        horizontal=True,
    )


LIMIT_LABELS = {
    "api_calls_daily": "API calls in a day",
    "api_calls_month": "API calls this month",
    "plots": "Plots",
}


def limit_table(report: UsageReport) -> tuple[list[str], list[list[str]]]:
    """Upsell candidates: companies at 80 % or more of a limit, the over ones first."""
    return (
        ["Company", "Tier", "Status", "Limit", "Used", "Allowed", "Share", ""],
        [
            [
                row["company_name"],
                row["tier"],
                row["status"],
                LIMIT_LABELS[row["limit"]],
                f"{row['used']:,}",
                f"{row['allowed']:,}",
                percent(row["ratio"]),
                "over" if row["over"] else "near",
            ]
            for row in report.limits
        ],
    )
