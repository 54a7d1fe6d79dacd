from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.companies.models import SubscriptionStatus
from apps.core.errors import ConflictError, NotFoundError, PaymentRequired, ValidationFailed
from apps.estates import services
from apps.estates.errors import PlotUnavailable
from apps.estates.models import Plot, PlotPurchase, PlotStatus, PurchaseStatus
from apps.marketers.models import AffiliationStatus, MarketerEarnedCommission
from tests.companies.factories import CompanyFactory
from tests.estates.factories import ClientFactory, EstateFactory, PlotFactory
from tests.estates.sales import make_sale
from tests.marketers.factories import AffiliationFactory

pytestmark = pytest.mark.django_db


def new_plot(estate, number="A-1", price="5000000.00"):
    return services.plot_create(
        company_id=estate.company_id,
        estate_id=estate.pk,
        plot_number=number,
        size_sqm=Decimal("500.00"),
        price=Decimal(price),
    )


def test_plot_create_publishes_plot_created(django_capture_on_commit_callbacks, events):
    estate = EstateFactory()
    with django_capture_on_commit_callbacks(execute=True):
        plot = new_plot(estate)
    assert plot.status == PlotStatus.AVAILABLE
    assert events.named("plot_created") == [
        {
            "plot_id": plot.pk,
            "company_id": estate.company_id,
            "estate_id": estate.pk,
            "price": Decimal("5000000.00"),
        }
    ]


def test_plots_beyond_the_plan_are_allowed_as_overage():
    estate = EstateFactory(company__max_plots=2)
    for number in ("1", "2", "3"):
        new_plot(estate, number)
    assert Plot.objects.filter(company=estate.company).count() == 3


@pytest.mark.parametrize(
    "company_state",
    [
        {"subscription_status": SubscriptionStatus.SUSPENDED},
        {"subscription_status": SubscriptionStatus.CANCELLED},
        {
            "subscription_status": SubscriptionStatus.TRIALING,
            "trial_ends_at": timezone.now() - timedelta(days=1),
        },
    ],
    ids=["suspended", "cancelled", "trial-over"],
)
def test_inactive_company_cannot_add_plots(
    company_state, django_capture_on_commit_callbacks, events
):
    estate = EstateFactory(company=CompanyFactory(**company_state))
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(PaymentRequired) as raised,
    ):
        new_plot(estate)
    assert raised.value.status_code == 402
    assert not Plot.objects.exists()
    assert events.named("plot_created") == []


def test_duplicate_plot_number_in_one_estate_is_a_conflict():
    estate = EstateFactory()
    new_plot(estate, "B-7")
    with pytest.raises(ConflictError) as raised:
        new_plot(estate, " B-7 ")
    assert raised.value.code == "duplicate_plot"
    new_plot(EstateFactory(company=estate.company), "B-7")  # another estate is fine
    assert Plot.objects.filter(plot_number="B-7").count() == 2


def test_plot_in_another_companys_estate_is_not_found():
    estate = EstateFactory()
    with pytest.raises(NotFoundError):
        services.plot_create(
            company_id=CompanyFactory().pk,
            estate_id=estate.pk,
            plot_number="X",
            size_sqm=Decimal(1),
            price=Decimal(1),
        )
    assert not Plot.objects.exists()


def test_estate_with_plots_cannot_be_deleted():
    plot = PlotFactory()
    with pytest.raises(ConflictError):
        services.estate_delete(company_id=plot.company_id, estate_id=plot.estate_id)
    assert Plot.objects.filter(pk=plot.pk).exists()


def test_sold_is_reached_only_by_selling():
    plot = PlotFactory()
    with pytest.raises(ConflictError):
        services.plot_update(
            company_id=plot.company_id, plot_id=plot.pk, data={"status": PlotStatus.SOLD}
        )
    services.plot_update(
        company_id=plot.company_id, plot_id=plot.pk, data={"status": PlotStatus.RESERVED}
    )
    plot.refresh_from_db()
    assert plot.status == PlotStatus.RESERVED

    sold = make_sale(plot.company).plot
    with pytest.raises(ConflictError):
        services.plot_update(
            company_id=sold.company_id, plot_id=sold.pk, data={"status": PlotStatus.AVAILABLE}
        )
    sold.refresh_from_db()
    assert sold.status == PlotStatus.SOLD


def test_sale_marks_the_plot_sold_and_publishes(django_capture_on_commit_callbacks, events):
    plot = PlotFactory(price=Decimal("7500000.00"))
    client = ClientFactory(company=plot.company)
    with django_capture_on_commit_callbacks(execute=True):
        purchase = services.purchase_create(
            company_id=plot.company_id, plot_id=plot.pk, client_id=client.pk
        )
    plot.refresh_from_db()
    assert plot.status == PlotStatus.SOLD
    assert purchase.status == PurchaseStatus.COMPLETED
    assert purchase.agreed_price == Decimal("7500000.00")
    assert purchase.completed_at is not None
    assert events.named("plot_purchased") == [
        {
            "purchase_id": purchase.pk,
            "company_id": plot.company_id,
            "plot_id": plot.pk,
            "client_id": client.pk,
            "affiliation_id": None,
            "agreed_price": Decimal("7500000.00"),
        }
    ]


@pytest.mark.parametrize("plot_status", [PlotStatus.SOLD, PlotStatus.RESERVED])
def test_a_plot_that_is_not_available_is_refused(
    plot_status, django_capture_on_commit_callbacks, events
):
    plot = PlotFactory(status=plot_status)
    client = ClientFactory(company=plot.company)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(PlotUnavailable),
    ):
        services.purchase_create(company_id=plot.company_id, plot_id=plot.pk, client_id=client.pk)
    assert not PlotPurchase.objects.exists()
    assert events.named("plot_purchased") == []


def test_second_sale_of_a_plot_is_refused():
    purchase = make_sale(CompanyFactory())
    other_client = ClientFactory(company=purchase.company)
    with pytest.raises(PlotUnavailable):
        services.purchase_create(
            company_id=purchase.company_id, plot_id=purchase.plot_id, client_id=other_client.pk
        )
    assert PlotPurchase.objects.count() == 1


def test_pending_purchase_reserves_then_completes(django_capture_on_commit_callbacks, events):
    company = CompanyFactory()
    affiliation = AffiliationFactory(company=company, commission_rate=Decimal("2.50"))
    with django_capture_on_commit_callbacks(execute=True):
        purchase = make_sale(company, affiliation=affiliation, complete=False, price="1000000")
    purchase.plot.refresh_from_db()
    assert purchase.plot.status == PlotStatus.RESERVED
    assert not MarketerEarnedCommission.objects.exists()
    assert events.named("plot_purchased") == []

    with django_capture_on_commit_callbacks(execute=True):
        services.purchase_complete(company_id=company.pk, purchase_id=purchase.pk)
        services.purchase_complete(company_id=company.pk, purchase_id=purchase.pk)  # no-op
    purchase.refresh_from_db()
    purchase.plot.refresh_from_db()
    assert purchase.status == PurchaseStatus.COMPLETED
    assert purchase.plot.status == PlotStatus.SOLD
    assert MarketerEarnedCommission.objects.get(purchase=purchase).amount == Decimal("25000.00")
    assert len(events.named("plot_purchased")) == 1


def test_cancel_frees_the_plot_and_cancels_the_unpaid_commission():
    company = CompanyFactory()
    purchase = make_sale(company, affiliation=AffiliationFactory(company=company))
    services.purchase_cancel(company_id=company.pk, purchase_id=purchase.pk, reason="Refund")
    services.purchase_cancel(company_id=company.pk, purchase_id=purchase.pk)  # no-op
    purchase.refresh_from_db()
    purchase.plot.refresh_from_db()
    assert purchase.status == PurchaseStatus.CANCELLED
    assert purchase.cancel_reason == "Refund"
    assert purchase.plot.status == PlotStatus.AVAILABLE
    assert MarketerEarnedCommission.objects.get(purchase=purchase).status == "cancelled"
    with pytest.raises(ConflictError):
        services.purchase_complete(company_id=company.pk, purchase_id=purchase.pk)
    # The freed plot can be sold again.
    again = services.purchase_create(
        company_id=company.pk,
        plot_id=purchase.plot_id,
        client_id=ClientFactory(company=company).pk,
    )
    assert again.status == PurchaseStatus.COMPLETED


@pytest.mark.parametrize("status", [AffiliationStatus.PENDING, AffiliationStatus.SUSPENDED])
def test_sale_through_an_unapproved_affiliation_is_refused(status):
    company = CompanyFactory()
    affiliation = AffiliationFactory(company=company, status=status)
    with pytest.raises(ValidationFailed):
        make_sale(company, affiliation=affiliation)
    assert not PlotPurchase.objects.exists()
    assert not Plot.objects.filter(status=PlotStatus.SOLD).exists()


def test_sale_through_another_companys_affiliation_is_refused():
    company = CompanyFactory()
    with pytest.raises(ValidationFailed):
        make_sale(company, affiliation=AffiliationFactory())
    assert not PlotPurchase.objects.exists()
