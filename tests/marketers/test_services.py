"""Affiliations and commissions through the marketers services (and the sales that earn them)."""

from decimal import Decimal

import pytest

from apps.companies.models import Membership
from apps.core.errors import (
    ConflictError,
    InvalidTransition,
    LimitExceeded,
    NotFoundError,
    ValidationFailed,
)
from apps.estates.models import PlotPurchase, PlotStatus, PurchaseStatus
from apps.estates.services import purchase_cancel, purchase_complete
from apps.marketers import services
from apps.marketers.errors import AlreadyDecided
from apps.marketers.models import (
    AffiliationStatus,
    CommissionStatus,
    MarketerAffiliation,
    MarketerEarnedCommission,
    MarketerProfile,
)
from tests.companies.factories import CompanyFactory
from tests.estates.sales import make_sale
from tests.marketers.affiliations import approved_affiliation, pending_affiliation
from tests.marketers.factories import AffiliationFactory

pytestmark = pytest.mark.django_db


def snapshot(model, pk):
    """Every field of a row, to prove a refused call changed nothing."""
    return model.objects.filter(pk=pk).values().get()


def decide(action, affiliation, **kwargs):
    service = getattr(services, f"affiliation_{action}")
    return service(company_id=affiliation.company_id, affiliation_id=affiliation.pk, **kwargs)


# --- applying --------------------------------------------------------------------------------


def test_a_user_applies_and_gets_a_profile_and_a_pending_affiliation(company, user, events, commit):
    with commit():
        affiliation = services.affiliation_request(
            user_id=user.pk, company_id=company.pk, phone="08031112222"
        )

    assert affiliation.status == AffiliationStatus.PENDING
    assert affiliation.commission_rate is None
    assert MarketerProfile.objects.get(user=user).phone == "+2348031112222"
    assert events.sent == [
        (
            "affiliation_requested",
            {
                "affiliation_id": affiliation.pk,
                "company_id": company.pk,
                "marketer_user_id": user.pk,
            },
        )
    ]


def test_one_profile_serves_applications_to_several_companies(user):
    first = services.affiliation_request(user_id=user.pk, company_id=CompanyFactory().pk)
    second = services.affiliation_request(user_id=user.pk, company_id=CompanyFactory().pk)
    assert first.marketer_id == second.marketer_id
    assert MarketerProfile.objects.filter(user=user).count() == 1


@pytest.mark.parametrize("status", [AffiliationStatus.PENDING, AffiliationStatus.APPROVED])
def test_applying_again_is_refused(company, events, commit, status):
    affiliation = AffiliationFactory(company=company, status=status)
    before = snapshot(MarketerAffiliation, affiliation.pk)

    with commit(), pytest.raises(ConflictError) as error:
        services.affiliation_request(user_id=affiliation.marketer.user_id, company_id=company.pk)

    assert error.value.code == "already_applied"
    assert error.value.status_code == 409
    assert snapshot(MarketerAffiliation, affiliation.pk) == before
    assert MarketerAffiliation.objects.count() == 1
    assert events.sent == []


def test_a_rejected_marketer_may_apply_again(company, admin_user, events, commit):
    affiliation = pending_affiliation(company)
    decide("reject", affiliation, decided_by_id=admin_user.pk, reason="Incomplete documents")

    with commit():
        again = services.affiliation_request(
            user_id=affiliation.marketer.user_id, company_id=company.pk
        )

    assert again.pk == affiliation.pk
    assert (again.status, again.reason, again.decided_by_id, again.decided_at) == (
        AffiliationStatus.PENDING,
        "",
        None,
        None,
    )
    assert events.names == ["affiliation_requested"]


def test_a_suspended_marketer_cannot_apply_again(company, events, commit):
    affiliation = AffiliationFactory(company=company, status=AffiliationStatus.SUSPENDED)
    before = snapshot(MarketerAffiliation, affiliation.pk)

    with commit(), pytest.raises(ConflictError) as error:
        services.affiliation_request(user_id=affiliation.marketer.user_id, company_id=company.pk)

    assert error.value.code == "suspended"
    assert snapshot(MarketerAffiliation, affiliation.pk) == before
    assert events.sent == []


# --- approving -------------------------------------------------------------------------------


def test_approving_sets_the_rate_and_makes_the_marketer_a_member(
    company, admin_user, events, commit
):
    affiliation = pending_affiliation(company)

    with commit():
        decide("approve", affiliation, decided_by_id=admin_user.pk, commission_rate=Decimal("2.50"))

    affiliation.refresh_from_db()
    assert affiliation.status == AffiliationStatus.APPROVED
    assert affiliation.commission_rate == Decimal("2.50")
    assert affiliation.decided_by == admin_user
    assert affiliation.decided_at is not None
    membership = Membership.objects.get(company=company, user_id=affiliation.marketer.user_id)
    assert membership.role == "marketer"
    assert events.sent == [
        (
            "affiliation_approved",
            {
                "affiliation_id": affiliation.pk,
                "company_id": company.pk,
                "marketer_user_id": affiliation.marketer.user_id,
                "commission_rate": Decimal("2.50"),
                "decided_by_id": admin_user.pk,
            },
        )
    ]


def test_approving_twice_is_a_no_op_without_a_second_event(company, admin_user, events, commit):
    affiliation = approved_affiliation(company, rate="2.50", by=admin_user)
    before = snapshot(MarketerAffiliation, affiliation.pk)

    with commit():
        again = decide(
            "approve", affiliation, decided_by_id=admin_user.pk, commission_rate=Decimal("2.50")
        )

    assert again.status == AffiliationStatus.APPROVED
    assert snapshot(MarketerAffiliation, affiliation.pk) == before
    assert events.sent == []


@pytest.mark.parametrize(
    ("decision", "first", "second", "recorded"),
    [
        (
            "approve",
            {"commission_rate": Decimal("2.50")},
            {"commission_rate": Decimal("7")},
            "2.50",
        ),
        ("reject", {"reason": "No ID"}, {"reason": "Other reason"}, "No ID"),
        ("suspend", {"reason": "Complaints"}, {"reason": "Other reason"}, "Complaints"),
    ],
)
def test_repeating_a_decision_with_another_value_is_a_409_and_changes_nothing(
    company, admin_user, events, commit, decision, first, second, recorded
):
    affiliation = (
        approved_affiliation(company) if decision == "suspend" else pending_affiliation(company)
    )
    decide(decision, affiliation, decided_by_id=admin_user.pk, **first)
    before = snapshot(MarketerAffiliation, affiliation.pk)

    with commit(), pytest.raises(AlreadyDecided) as refused:
        decide(decision, affiliation, decided_by_id=admin_user.pk, **second)

    assert refused.value.code == "already_decided"
    assert [str(value) for value in refused.value.details.values()] == [f"['{recorded}']"]
    assert snapshot(MarketerAffiliation, affiliation.pk) == before
    assert events.sent == []


def test_a_rejected_application_may_still_be_approved(company, admin_user):
    affiliation = pending_affiliation(company)
    decide("reject", affiliation, decided_by_id=admin_user.pk, reason="Changed our mind")

    decide("approve", affiliation, decided_by_id=admin_user.pk, commission_rate=Decimal("3"))

    affiliation.refresh_from_db()
    assert (affiliation.status, affiliation.reason) == (AffiliationStatus.APPROVED, "")


def test_approving_beyond_max_agents_is_refused_and_changes_nothing(
    admin_user, company, events, commit
):
    company.max_agents = 2
    company.save()
    approved_affiliation(company)
    approved_affiliation(company)
    affiliation = pending_affiliation(company)
    before = snapshot(MarketerAffiliation, affiliation.pk)

    with commit(), pytest.raises(LimitExceeded) as error:
        decide("approve", affiliation, decided_by_id=admin_user.pk, commission_rate=Decimal(5))

    assert error.value.code == "agent_limit_reached"
    assert error.value.status_code == 403
    assert error.value.details == {"max_agents": 2, "approved": 2}
    assert "2 approved marketers" in error.value.message
    assert snapshot(MarketerAffiliation, affiliation.pk) == before
    assert not Membership.objects.filter(user_id=affiliation.marketer.user_id).exists()
    assert events.sent == []


def test_suspended_and_pending_marketers_do_not_count_toward_max_agents(company, admin_user):
    company.max_agents = 1
    company.save()
    suspended = approved_affiliation(company)
    decide("suspend", suspended, decided_by_id=admin_user.pk)
    pending_affiliation(company)
    affiliation = pending_affiliation(company)

    decide("approve", affiliation, decided_by_id=admin_user.pk, commission_rate=Decimal(5))

    assert MarketerAffiliation.objects.get(pk=affiliation.pk).status == AffiliationStatus.APPROVED


@pytest.mark.parametrize("rate", ["-0.01", "100.01", "250"])
def test_approving_with_a_rate_outside_0_to_100_is_refused(company, events, commit, rate):
    affiliation = pending_affiliation(company)

    with commit(), pytest.raises(ValidationFailed) as error:
        decide("approve", affiliation, decided_by_id=None, commission_rate=Decimal(rate))

    assert "commission_rate" in error.value.details
    assert MarketerAffiliation.objects.get(pk=affiliation.pk).status == AffiliationStatus.PENDING
    assert events.sent == []


@pytest.mark.parametrize("rate", ["0", "100"])
def test_rates_of_0_and_100_percent_are_allowed(company, rate):
    affiliation = approved_affiliation(company, rate=rate)
    assert affiliation.commission_rate == Decimal(rate)


# --- rejecting, suspending, reactivating ----------------------------------------------------


def test_rejecting_records_the_reason_and_who_decided(company, admin_user, events, commit):
    affiliation = pending_affiliation(company)

    with commit():
        decide("reject", affiliation, decided_by_id=admin_user.pk, reason="No CAC certificate")
        decide("reject", affiliation, decided_by_id=admin_user.pk, reason="No CAC certificate")

    affiliation.refresh_from_db()
    assert affiliation.status == AffiliationStatus.REJECTED
    assert (affiliation.reason, affiliation.decided_by_id) == ("No CAC certificate", admin_user.pk)
    assert not Membership.objects.filter(user_id=affiliation.marketer.user_id).exists()
    assert events.sent == [
        (
            "affiliation_rejected",
            {
                "affiliation_id": affiliation.pk,
                "company_id": company.pk,
                "marketer_user_id": affiliation.marketer.user_id,
                "reason": "No CAC certificate",
                "decided_by_id": admin_user.pk,
            },
        )
    ]


def test_suspending_and_reactivating_an_approved_marketer(company, admin_user, events, commit):
    affiliation = approved_affiliation(company, rate="4.00")
    user_id = affiliation.marketer.user_id

    with commit():
        decide("suspend", affiliation, decided_by_id=admin_user.pk, reason="Misquoted prices")
        decide("suspend", affiliation, decided_by_id=admin_user.pk, reason="Misquoted prices")
    affiliation.refresh_from_db()
    assert (affiliation.status, affiliation.reason) == (
        AffiliationStatus.SUSPENDED,
        "Misquoted prices",
    )

    with commit():
        decide("reactivate", affiliation, decided_by_id=admin_user.pk)
        decide("reactivate", affiliation, decided_by_id=admin_user.pk)
    affiliation.refresh_from_db()
    assert (affiliation.status, affiliation.reason) == (AffiliationStatus.APPROVED, "")
    assert affiliation.commission_rate == Decimal("4.00")  # the agreed rate survives

    common = {
        "affiliation_id": affiliation.pk,
        "company_id": company.pk,
        "marketer_user_id": user_id,
    }
    assert events.sent == [
        (
            "marketer_suspended",
            {**common, "reason": "Misquoted prices", "decided_by_id": admin_user.pk},
        ),
        ("marketer_reactivated", {**common, "decided_by_id": admin_user.pk}),
    ]


def test_reactivating_beyond_max_agents_is_refused(company, admin_user, events, commit):
    company.max_agents = 1
    company.save()
    suspended = approved_affiliation(company)
    decide("suspend", suspended, decided_by_id=admin_user.pk)
    approved_affiliation(company)  # took the only slot meanwhile
    before = snapshot(MarketerAffiliation, suspended.pk)

    with commit(), pytest.raises(LimitExceeded) as error:
        decide("reactivate", suspended, decided_by_id=admin_user.pk)

    assert error.value.code == "agent_limit_reached"
    assert snapshot(MarketerAffiliation, suspended.pk) == before
    assert events.sent == []


@pytest.mark.parametrize(
    ("action", "status", "kwargs"),
    [
        ("reject", AffiliationStatus.APPROVED, {}),
        ("reject", AffiliationStatus.SUSPENDED, {}),
        ("suspend", AffiliationStatus.PENDING, {}),
        ("suspend", AffiliationStatus.REJECTED, {}),
        ("reactivate", AffiliationStatus.PENDING, {}),
        ("reactivate", AffiliationStatus.REJECTED, {}),
        ("approve", AffiliationStatus.SUSPENDED, {"commission_rate": Decimal(5)}),
    ],
)
def test_invalid_transitions_are_refused_and_change_nothing(
    company, events, commit, action, status, kwargs
):
    affiliation = AffiliationFactory(company=company, status=status)
    before = snapshot(MarketerAffiliation, affiliation.pk)

    with commit(), pytest.raises(InvalidTransition) as error:
        decide(action, affiliation, decided_by_id=None, **kwargs)

    assert error.value.status_code == 409
    assert error.value.code == "invalid_transition"
    assert snapshot(MarketerAffiliation, affiliation.pk) == before
    assert events.sent == []


@pytest.mark.parametrize(
    ("action", "kwargs"),
    [
        ("approve", {"commission_rate": Decimal(5)}),
        ("reject", {}),
        ("suspend", {}),
        ("reactivate", {}),
    ],
)
def test_another_companys_affiliation_is_not_found(company, events, commit, action, kwargs):
    foreign = AffiliationFactory(status=AffiliationStatus.PENDING)
    before = snapshot(MarketerAffiliation, foreign.pk)
    service = getattr(services, f"affiliation_{action}")

    with commit(), pytest.raises(NotFoundError):
        service(company_id=company.pk, affiliation_id=foreign.pk, decided_by_id=None, **kwargs)

    assert snapshot(MarketerAffiliation, foreign.pk) == before
    assert events.sent == []


# --- earning commissions ---------------------------------------------------------------------


def test_a_completed_sale_earns_rate_times_price_rounded_half_up_to_the_kobo(
    company, events, commit
):
    affiliation = approved_affiliation(company, rate="2.50")

    with commit():
        purchase = make_sale(company, affiliation=affiliation, price=Decimal("1234567.89"))

    commission = MarketerEarnedCommission.objects.get(purchase=purchase)
    # 2.5 % of 1,234,567.89 is 30,864.19725
    assert commission.amount == Decimal("30864.20")
    assert commission.rate == Decimal("2.50")
    assert (commission.status, commission.company_id) == (CommissionStatus.PENDING, company.pk)
    assert commission.affiliation_id == affiliation.pk
    assert events.named("commission_earned") == [
        {
            "commission_id": commission.pk,
            "company_id": company.pk,
            "affiliation_id": affiliation.pk,
            "amount": Decimal("30864.20"),
            "purchase_id": purchase.pk,
            "rate": Decimal("2.50"),
        }
    ]


def test_an_exact_half_kobo_rounds_up_not_to_even(company):
    affiliation = approved_affiliation(company, rate="2.50")
    # 2.5 % of 4,000,000.20 is 100,000.005: half-even would give 100,000.00
    purchase = make_sale(company, affiliation=affiliation, price=Decimal("4000000.20"))
    assert MarketerEarnedCommission.objects.get(purchase=purchase).amount == Decimal("100000.01")


def test_a_commission_is_earned_exactly_once_per_purchase(company, events, commit):
    affiliation = approved_affiliation(company, rate="5.00")
    purchase = make_sale(company, affiliation=affiliation, complete=False)

    def earn():
        return services.commission_earn(
            company_id=company.pk,
            purchase_id=purchase.pk,
            affiliation_id=affiliation.pk,
            agreed_price=purchase.agreed_price,
        )

    with commit():
        first = earn()
        second = earn()

    assert first is not None
    assert second == first
    assert MarketerEarnedCommission.objects.filter(purchase=purchase).count() == 1
    assert len(events.named("commission_earned")) == 1


def test_a_pending_purchase_earns_nothing_until_it_is_completed(company, events, commit):
    affiliation = approved_affiliation(company, rate="5.00")

    with commit():
        purchase = make_sale(company, affiliation=affiliation, complete=False)
    assert not MarketerEarnedCommission.objects.exists()
    assert events.sent == []

    with commit():
        purchase_complete(company_id=company.pk, purchase_id=purchase.pk)
        purchase_complete(company_id=company.pk, purchase_id=purchase.pk)

    commission = MarketerEarnedCommission.objects.get()
    assert commission.purchase_id == purchase.pk
    assert commission.amount == Decimal("250000.00")  # 5 % of the plot's ₦5,000,000
    assert len(events.named("commission_earned")) == 1


def test_a_sale_without_a_marketer_earns_nothing(company):
    make_sale(company)
    assert not MarketerEarnedCommission.objects.exists()


@pytest.mark.parametrize(
    "status",
    [AffiliationStatus.PENDING, AffiliationStatus.REJECTED, AffiliationStatus.SUSPENDED],
)
def test_a_sale_through_a_non_approved_affiliation_is_refused(company, events, commit, status):
    affiliation = AffiliationFactory(company=company, status=status)

    with commit(), pytest.raises(ValidationFailed) as error:
        make_sale(company, affiliation=affiliation)

    assert "affiliation" in error.value.details
    assert not PlotPurchase.objects.exists()
    assert not MarketerEarnedCommission.objects.exists()
    assert events.sent == []


# --- approving and paying commissions --------------------------------------------------------


@pytest.fixture
def affiliation(company):
    return approved_affiliation(company, rate="5.00")


@pytest.fixture
def commission(company, affiliation):
    purchase = make_sale(company, affiliation=affiliation)
    return MarketerEarnedCommission.objects.get(purchase=purchase)


def approve(commission, by=None):
    return services.commission_approve(
        company_id=commission.company_id,
        commission_id=commission.pk,
        approved_by_id=by.pk if by else None,
    )


def pay(commission, reference):
    return services.commission_mark_paid(
        company_id=commission.company_id, commission_id=commission.pk, payment_reference=reference
    )


def test_approving_a_commission_once(commission, admin_user, events, commit):
    with commit():
        approve(commission, by=admin_user)
        approve(commission, by=admin_user)

    commission.refresh_from_db()
    assert commission.status == CommissionStatus.APPROVED
    assert commission.approved_by == admin_user
    assert commission.approved_at is not None
    assert events.sent == [
        (
            "commission_approved",
            {
                "commission_id": commission.pk,
                "company_id": commission.company_id,
                "affiliation_id": commission.affiliation_id,
                "amount": Decimal("250000.00"),
                "approved_by_id": admin_user.pk,
            },
        )
    ]


def test_paying_an_approved_commission_once(commission, events, commit):
    approve(commission)

    with commit():
        pay(commission, "  GTB-TRF-0042  ")
        pay(commission, "GTB-TRF-0042")  # a retry of the same payment

    commission.refresh_from_db()
    assert commission.status == CommissionStatus.PAID
    assert commission.payment_reference == "GTB-TRF-0042"
    assert commission.paid_at is not None
    assert events.sent == [
        (
            "commission_paid",
            {
                "commission_id": commission.pk,
                "company_id": commission.company_id,
                "affiliation_id": commission.affiliation_id,
                "amount": Decimal("250000.00"),
                "payment_reference": "GTB-TRF-0042",
            },
        )
    ]


def test_paying_again_with_another_reference_is_refused(commission, events, commit):
    approve(commission)
    pay(commission, "GTB-TRF-0042")
    before = snapshot(MarketerEarnedCommission, commission.pk)

    with commit(), pytest.raises(ConflictError) as error:
        pay(commission, "ZENITH-9911")

    assert (error.value.code, error.value.status_code) == ("already_paid", 409)
    assert snapshot(MarketerEarnedCommission, commission.pk) == before
    assert events.sent == []


def test_a_paid_commission_stays_paid_when_approved_again(commission, events, commit):
    approve(commission)
    pay(commission, "GTB-TRF-0042")
    before = snapshot(MarketerEarnedCommission, commission.pk)

    with commit():
        approve(commission)

    assert snapshot(MarketerEarnedCommission, commission.pk) == before
    assert events.sent == []


def test_a_pending_commission_cannot_be_paid(commission, events, commit):
    before = snapshot(MarketerEarnedCommission, commission.pk)

    with commit(), pytest.raises(InvalidTransition) as error:
        pay(commission, "GTB-TRF-0042")

    assert (error.value.code, error.value.status_code) == ("invalid_transition", 409)
    assert snapshot(MarketerEarnedCommission, commission.pk) == before
    assert events.sent == []


@pytest.mark.parametrize("reference", ["", "   "])
def test_a_payment_needs_a_reference(commission, events, commit, reference):
    approve(commission)
    before = snapshot(MarketerEarnedCommission, commission.pk)

    with commit(), pytest.raises(ValidationFailed) as error:
        pay(commission, reference)

    assert error.value.status_code == 400
    assert "payment_reference" in error.value.details
    assert snapshot(MarketerEarnedCommission, commission.pk) == before
    assert events.sent == []


def test_another_companys_commission_is_not_found(commission, events, commit):
    other = CompanyFactory()
    before = snapshot(MarketerEarnedCommission, commission.pk)

    with commit():
        with pytest.raises(NotFoundError):
            services.commission_approve(
                company_id=other.pk, commission_id=commission.pk, approved_by_id=None
            )
        with pytest.raises(NotFoundError):
            services.commission_mark_paid(
                company_id=other.pk, commission_id=commission.pk, payment_reference="X-1"
            )

    assert snapshot(MarketerEarnedCommission, commission.pk) == before
    assert events.sent == []


# --- cancelling the sale ---------------------------------------------------------------------


@pytest.mark.parametrize("approved", [False, True], ids=["pending", "approved"])
def test_cancelling_a_sale_cancels_its_unpaid_commission(commission, events, commit, approved):
    if approved:
        approve(commission)

    with commit():
        purchase_cancel(company_id=commission.company_id, purchase_id=commission.purchase_id)

    commission.refresh_from_db()
    assert commission.status == CommissionStatus.CANCELLED
    assert commission.paid_at is None
    assert events.sent == []


@pytest.mark.parametrize("service", ["approve", "pay"])
def test_a_cancelled_commission_can_be_neither_approved_nor_paid(
    commission, events, commit, service
):
    purchase_cancel(company_id=commission.company_id, purchase_id=commission.purchase_id)
    before = snapshot(MarketerEarnedCommission, commission.pk)

    with commit(), pytest.raises(InvalidTransition):
        approve(commission) if service == "approve" else pay(commission, "GTB-TRF-0042")

    assert snapshot(MarketerEarnedCommission, commission.pk) == before
    assert events.sent == []


def test_a_paid_commission_blocks_cancelling_the_sale(commission, events, commit):
    approve(commission)
    pay(commission, "GTB-TRF-0042")
    purchase = PlotPurchase.objects.get(pk=commission.purchase_id)
    commission_before = snapshot(MarketerEarnedCommission, commission.pk)
    purchase_before = snapshot(PlotPurchase, purchase.pk)

    with commit(), pytest.raises(ConflictError) as error:
        purchase_cancel(company_id=commission.company_id, purchase_id=purchase.pk)

    assert (error.value.code, error.value.status_code) == ("commission_paid", 409)
    assert snapshot(MarketerEarnedCommission, commission.pk) == commission_before
    assert snapshot(PlotPurchase, purchase.pk) == purchase_before
    purchase.refresh_from_db()
    assert purchase.status == PurchaseStatus.COMPLETED
    assert purchase.plot.status == PlotStatus.SOLD
    assert events.sent == []
