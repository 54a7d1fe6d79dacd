"""Realistic sample contexts for every category: what the receivers and the scheduled
alerts put in a notification's context, as the outbox keeps it (plain JSON values:
amounts and moments as strings).

Used by the template tests and the admin's preview. A category whose templates read
differently by case (an invoice with or without a due date, each kind of subscription
change) has one sample per case; the first is the one the preview shows.
"""

from typing import Any

from django.conf import settings

from apps.notifications.categories import Category

# An ampersand and an apostrophe, as tenants type them: nothing may escape them in text,
# and the HTML must escape them.
COMPANY_NAME = "Adebayo & Sons' Homes Ltd"


def _link(path: str) -> str:
    return f"{settings.FRONTEND_URL.rstrip('/')}/{path.lstrip('/')}"


def _samples() -> dict[Category, list[tuple[str, dict[str, Any]]]]:
    def context(path: str, **values: Any) -> dict[str, Any]:
        return {"company_name": COMPANY_NAME, "link": _link(path), **values}

    subscription = "/billing/subscription"
    return {
        Category.AFFILIATION_APPROVED: [
            ("approved", context("/marketer/affiliations", commission_rate="7.50")),
        ],
        Category.AFFILIATION_REJECTED: [
            (
                "with a reason",
                context(
                    "/marketer/affiliations",
                    reason="We are not taking new marketers in Ibadan until January.",
                ),
            ),
            ("without a reason", context("/marketer/affiliations", reason="")),
        ],
        Category.COMMISSION_APPROVED: [
            ("approved", context("/marketer/commissions", commission_id=4107, amount="1250000.00")),
        ],
        Category.COMMISSION_PAID: [
            (
                "paid",
                context(
                    "/marketer/commissions",
                    commission_id=4107,
                    amount="1250000.00",
                    payment_reference="GTB-TRF-20261127-0042",
                ),
            ),
        ],
        Category.INVOICE_ISSUED: [
            (
                "paid by transfer",
                context(
                    "/billing/invoices/918",
                    invoice_id=918,
                    number="INV-2026-000918",
                    total="1234567.89",
                    due_date="2026-12-11",
                ),
            ),
            (
                "charged to a card",
                context(
                    "/billing/invoices/919",
                    invoice_id=919,
                    number="INV-2026-000919",
                    total="53750.00",
                    due_date=None,
                ),
            ),
        ],
        Category.SUBSCRIPTION_RENEWED: [
            (
                "paid",
                context(
                    "/billing/invoices/918",
                    invoice_id=918,
                    number="INV-2026-000918",
                    total="1234567.89",
                    # 23:30 UTC on 30 November is 00:30 on 1 December in Lagos.
                    paid_at="2026-11-30T23:30:00+00:00",
                ),
            ),
        ],
        Category.PAYMENT_FAILED: [
            (
                "card declined",
                context(
                    subscription,
                    payment_id=77,
                    amount="53750.00",
                    reason="Your card was declined by the issuing bank.",
                ),
            ),
            ("no reason given", context(subscription, payment_id=78, amount="53750.00", reason="")),
        ],
        Category.SUBSCRIPTION_CHANGED: [
            (
                "plan changed",
                context(
                    subscription,
                    change="subscription_changed",
                    old_tier="starter",
                    new_tier="professional",
                    old_status="trialing",
                    new_status="active",
                ),
            ),
            (
                "payment overdue",
                context(
                    subscription,
                    change="subscription_changed",
                    old_tier="starter",
                    new_tier="starter",
                    old_status="active",
                    new_status="past_due",
                ),
            ),
            (
                "suspended",
                context(
                    subscription,
                    change="company_suspended",
                    reason="Invoice INV-2026-000918 is 14 days overdue.",
                ),
            ),
            ("reactivated", context(subscription, change="company_reactivated")),
            (
                "cancelled at period end",
                context(
                    subscription,
                    change="subscription_cancelled",
                    reason="Moving to another platform",
                    at_period_end=True,
                ),
            ),
            (
                "cancelled at once",
                context(
                    subscription, change="subscription_cancelled", reason="", at_period_end=False
                ),
            ),
        ],
        Category.SUBSCRIPTION_ENDING: [
            ("in 7 days", context(subscription, days_left=7, ends_on="2026-12-04")),
        ],
        Category.TRIAL_ENDING: [
            ("in 3 days", context(subscription, days_left=3, ends_on="2026-11-30")),
            ("tomorrow", context(subscription, days_left=1, ends_on="2026-11-28")),
        ],
        Category.API_LIMIT_EXCEEDED: [
            ("limit reached", context(subscription, day="2026-11-27", daily_limit=10000)),
        ],
        Category.WEEKLY_SUMMARY: [
            (
                "a busy week",
                context(
                    "/dashboard",
                    week_start="2026-11-16",
                    week_end="2026-11-22",
                    sales=12,
                    revenue="184500000.00",
                    new_clients=9,
                    commissions="9225000.00",
                    api_calls=48213,
                ),
            ),
            (
                "a quiet week",
                context(
                    "/dashboard",
                    week_start="2026-11-23",
                    week_end="2026-11-29",
                    sales=1,
                    revenue="4500000.00",
                    new_clients=0,
                    commissions="0.00",
                    api_calls=1,
                ),
            ),
        ],
        Category.SAVED_SEARCH_MATCH: [
            (
                "a new plot",
                context(
                    "/plots/8812",
                    search_name="Lekki: 500 m² & under ₦20m, Tunde's",
                    plot_id=8812,
                    plot_number="B-014",
                    estate_name="Adeola's Court",
                    price="18500000.00",
                ),
            ),
        ],
    }


def sample_contexts(category: Category | str) -> list[tuple[str, dict[str, Any]]]:
    """Every sample of ``category``: (what case it shows, its context)."""
    return _samples()[Category(category)]


def sample_context(category: Category | str) -> dict[str, Any]:
    """The category's first sample, as the admin's preview shows it."""
    return sample_contexts(category)[0][1]
