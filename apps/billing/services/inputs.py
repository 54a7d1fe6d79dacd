"""What the calculator needs for many companies at once, read through the other apps'
selectors in a fixed number of queries per batch (never one per company)."""

from decimal import Decimal

from django.conf import settings

from apps.billing.calculator import InvoiceInput, TierUsage
from apps.billing.models import Credit
from apps.billing.periods import Period
from apps.companies.selectors import PlanInfo, billable_tier_days, plans_by_code
from apps.usage.selectors import api_calls_for_companies, plots_count_for_companies


def available_credits(company_ids: list[int], *, lock: bool) -> dict[int, list[Credit]]:
    """Each company's credits with something left, oldest first (used in that order)."""
    credits = Credit.objects.filter(company_id__in=company_ids, remaining__gt=0).order_by(
        "created_at", "id"
    )
    if lock:
        credits = credits.select_for_update()
    by_company: dict[int, list[Credit]] = {company_id: [] for company_id in company_ids}
    for credit in credits:
        by_company[credit.company_id].append(credit)
    return by_company


def invoice_inputs(
    *,
    company_ids: list[int],
    period: Period,
    credits: dict[int, list[Credit]],
    plans: dict[str, PlanInfo] | None = None,
    api_calls: dict[int, int] | None = None,
    plots: dict[int, int] | None = None,
    tier_days: dict[int, list] | None = None,
) -> dict[int, InvoiceInput]:
    """Calculator inputs for the companies with billable days in ``period``.

    The included amounts come from the last plan held in the period. Companies with no
    billable day (a trial all period) are left out: they are not invoiced.
    """
    plans = plans or plans_by_code()
    tier_days = tier_days or billable_tier_days(
        company_ids=company_ids, start=period.start, end=period.end
    )
    plots = plots or plots_count_for_companies(company_ids=company_ids, at=period.ends_at)
    api_calls = api_calls or api_calls_for_companies(
        company_ids=company_ids, start=period.start, end=period.end
    )
    inputs = {}
    for company_id in company_ids:
        days = tier_days.get(company_id) or []
        if not any(entry.days for entry in days):
            continue
        plan = plans[days[-1].tier]
        inputs[company_id] = InvoiceInput(
            period_days=period.days,
            tiers=tuple(
                TierUsage(
                    tier=entry.tier,
                    plan_name=plans[entry.tier].name,
                    monthly_fee=plans[entry.tier].monthly_fee,
                    days=entry.days,
                )
                for entry in days
            ),
            included_plots=plan.included_plots,
            plots_held=plots.get(company_id, 0),
            included_api_calls=plan.included_api_calls,
            api_calls=api_calls.get(company_id, 0),
            credits_available=sum(
                (credit.remaining for credit in credits.get(company_id, [])), Decimal("0.00")
            ),
            vat_rate=settings.VAT_RATE,
        )
    return inputs
