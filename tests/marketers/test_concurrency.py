"""Races on PostgreSQL: the last agent slot, and earning one sale's commission twice."""

from decimal import Decimal

import pytest

from apps.core.errors import LimitExceeded
from apps.marketers import services
from apps.marketers.models import AffiliationStatus, MarketerAffiliation, MarketerEarnedCommission
from tests.concurrency import run_together
from tests.estates.sales import make_sale
from tests.marketers.affiliations import approved_affiliation, pending_affiliation
from tests.marketers.factories import AffiliationFactory

# The plan catalogue comes from a data migration, which an earlier transactional test's
# flush removes: the plan_catalogue fixture puts it back.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("plan_catalogue"),
]


def test_two_approvals_for_the_last_agent_slot_approve_exactly_one(company):
    company.max_agents = 2
    company.save()
    AffiliationFactory(company=company)  # one slot taken, one left
    applicants = [pending_affiliation(company), pending_affiliation(company)]

    outcomes = run_together(
        *[
            lambda affiliation=affiliation: (
                services.affiliation_approve(
                    company_id=company.pk,
                    affiliation_id=affiliation.pk,
                    decided_by_id=None,
                    commission_rate=Decimal("5.00"),
                ).pk
            )
            for affiliation in applicants
        ]
    )

    assert sorted(outcome.ok for outcome in outcomes) == [False, True], outcomes
    error = next(outcome.error for outcome in outcomes if not outcome.ok)
    assert isinstance(error, LimitExceeded)
    assert error.code == "agent_limit_reached"
    statuses = sorted(
        MarketerAffiliation.objects.filter(pk__in=[a.pk for a in applicants]).values_list(
            "status", flat=True
        )
    )
    assert statuses == [AffiliationStatus.APPROVED, AffiliationStatus.PENDING]
    assert (
        MarketerAffiliation.objects.filter(
            company=company, status=AffiliationStatus.APPROVED
        ).count()
        == 2
    )


def test_earning_one_sales_commission_twice_at_once_makes_one_row(company):
    affiliation = approved_affiliation(company, rate="2.50")
    purchase = make_sale(company, affiliation=affiliation, complete=False)

    def earn():
        return services.commission_earn(
            company_id=company.pk,
            purchase_id=purchase.pk,
            affiliation_id=affiliation.pk,
            agreed_price=purchase.agreed_price,
        )

    outcomes = run_together(earn, earn)

    rows = MarketerEarnedCommission.objects.filter(purchase=purchase)
    assert rows.count() == 1
    assert [(outcome.ok, outcome.value) for outcome in outcomes] == [
        (True, rows.get().pk),
        (True, rows.get().pk),
    ]
    assert rows.get().amount == Decimal("125000.00")  # 2.5 % of ₦5,000,000
