from decimal import Decimal

import pytest

from apps.companies.models import SubscriptionStatus
from apps.estates.models import Estate, Plot, PlotPurchase, PlotStatus
from tests.companies.factories import CompanyFactory, MembershipFactory
from tests.conftest import client_for
from tests.estates.factories import ClientFactory, EstateFactory, PlotFactory
from tests.estates.sales import make_sale
from tests.marketers.factories import AffiliationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def estate(company):
    return EstateFactory(company=company, name="Lekki Pearl")


def member(company, role):
    return client_for(MembershipFactory(company=company, role=role).user)


# --- estates -------------------------------------------------------------------------------


def test_estate_crud_by_an_admin(admin_client, company):
    created = admin_client.post(
        "/api/estates/",
        {"name": "Ibeju Palms", "location": "Ibeju-Lekki", "state": "Lagos", "lga": "Ibeju"},
        format="json",
    )
    assert created.status_code == 201, created.content
    estate_id = created.json()["id"]
    assert created.json()["plot_count"] == 0
    assert Estate.objects.get(pk=estate_id).company == company

    duplicate = admin_client.post(
        "/api/estates/", {"name": "Ibeju Palms", "location": "x", "state": "Lagos"}, format="json"
    )
    assert duplicate.status_code == 409

    renamed = admin_client.patch(f"/api/estates/{estate_id}/", {"is_active": False}, format="json")
    assert renamed.status_code == 200
    assert renamed.json()["is_active"] is False
    assert admin_client.delete(f"/api/estates/{estate_id}/").status_code == 204
    assert not Estate.objects.filter(pk=estate_id).exists()


def test_estate_list_counts_plots(admin_client, estate):
    PlotFactory.create_batch(2, estate=estate)
    PlotFactory(estate=estate, status=PlotStatus.SOLD)
    [row] = admin_client.get("/api/estates/").json()["results"]
    assert (row["plot_count"], row["available_plot_count"]) == (3, 2)


def test_estate_with_plots_is_not_deleted(admin_client, estate):
    PlotFactory(estate=estate)
    response = admin_client.delete(f"/api/estates/{estate.pk}/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "estate_has_plots"
    assert Estate.objects.filter(pk=estate.pk).exists()


@pytest.mark.parametrize("role", ["marketer", "client"])
def test_members_read_estates_and_plots_but_only_admins_write(company, estate, role):
    client = member(company, role)
    assert client.get("/api/estates/").status_code == 200
    assert client.get("/api/plots/").status_code == 200
    response = client.post(
        "/api/estates/", {"name": "X", "location": "x", "state": "Lagos"}, format="json"
    )
    assert response.status_code == 403
    assert client.delete(f"/api/estates/{estate.pk}/").status_code == 403
    assert Estate.objects.count() == 1


# --- plots ---------------------------------------------------------------------------------


def plot_body(of_estate, **overrides):
    return {
        "estate": of_estate.pk,
        "plot_number": "C-12",
        "size_sqm": "648.00",
        "price": "8500000.00",
        **overrides,
    }


def test_plot_create_and_read_back(admin_client, estate):
    response = admin_client.post("/api/plots/", plot_body(estate), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "available"
    assert body["price"] == "8500000.00"
    assert body["estate_name"] == "Lekki Pearl"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("price", "-1"),
        ("price", "0"),
        ("price", "1000000000000"),
        ("price", "12.345"),
        ("price", "abc"),
        ("price", None),
        ("size_sqm", "-5"),
        ("size_sqm", "0"),
        ("size_sqm", "99999999"),
        ("plot_number", ""),
        ("plot_number", "x" * 40),
        ("estate", 999999),
        ("status", "sold"),
    ],
)
def test_bad_plot_input_is_a_400_and_creates_nothing(admin_client, estate, field, value):
    response = admin_client.post("/api/plots/", plot_body(estate, **{field: value}), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["details"]
    assert not Plot.objects.exists()


def test_plot_in_another_companys_estate_is_refused(admin_client):
    foreign = EstateFactory()
    response = admin_client.post("/api/plots/", plot_body(foreign), format="json")
    assert response.status_code == 400
    assert "estate" in response.json()["error"]["details"]
    assert not Plot.objects.exists()


def test_inactive_subscription_gets_402_when_adding_plots(estate, admin_client, company):
    company.subscription_status = SubscriptionStatus.SUSPENDED
    company.save()
    response = admin_client.post("/api/plots/", plot_body(estate), format="json")
    assert response.status_code == 402
    assert response.json()["error"]["code"] == "subscription_inactive"
    assert not Plot.objects.exists()
    # Reading still works: the company can see its data and renew.
    assert admin_client.get("/api/plots/").status_code == 200


def test_plot_update_can_hold_but_not_sell(admin_client, estate):
    plot = PlotFactory(estate=estate)
    held = admin_client.patch(f"/api/plots/{plot.pk}/", {"status": "reserved"}, format="json")
    assert held.status_code == 200
    assert held.json()["status"] == "reserved"
    sold = admin_client.patch(f"/api/plots/{plot.pk}/", {"status": "sold"}, format="json")
    assert sold.status_code == 400
    repriced = admin_client.patch(f"/api/plots/{plot.pk}/", {"price": "9000000.50"}, format="json")
    assert repriced.json()["price"] == "9000000.50"


@pytest.fixture
def plots(company):
    lekki = EstateFactory(company=company, name="Lekki Pearl")
    epe = EstateFactory(company=company, name="Epe Meadows")
    return {
        "a": PlotFactory(estate=lekki, plot_number="L-1", price=Decimal("3000000"), size_sqm=300),
        "b": PlotFactory(estate=lekki, plot_number="L-2", price=Decimal("6000000"), size_sqm=600),
        "c": PlotFactory(
            estate=epe, plot_number="E-1", price=Decimal("9000000"), size_sqm=900, status="sold"
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["a", "b", "c"]),
        ("status=available", ["a", "b"]),
        ("min_price=5000000", ["b", "c"]),
        ("max_price=6000000", ["a", "b"]),
        ("min_price=4000000&max_price=8000000", ["b"]),
        ("min_size=500&max_size=700", ["b"]),
        ("search=epe", ["c"]),
        ("search=L-2", ["b"]),
        ("search=pearl&status=available&min_price=4000000", ["b"]),
    ],
)
def test_plot_filters(admin_client, plots, query, expected):
    response = admin_client.get(f"/api/plots/?{query}")
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {plots[key].pk for key in expected}


def test_plot_filter_by_estate(admin_client, plots):
    estate_id = plots["c"].estate_id
    rows = admin_client.get(f"/api/plots/?estate={estate_id}").json()["results"]
    assert [row["id"] for row in rows] == [plots["c"].pk]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [("price", ["a", "b", "c"]), ("-price", ["c", "b", "a"]), ("-size_sqm", ["c", "b", "a"])],
)
def test_plot_ordering(admin_client, plots, ordering, expected):
    rows = admin_client.get(f"/api/plots/?ordering={ordering}").json()["results"]
    assert [row["id"] for row in rows] == [plots[key].pk for key in expected]


@pytest.mark.parametrize(
    "query", ["min_price=abc", "max_size=ten", "estate=x", "status=gone", "page=abc"]
)
def test_bad_filters_are_4xx_in_the_error_format(admin_client, plots, query):
    response = admin_client.get(f"/api/plots/?{query}")
    assert 400 <= response.status_code < 500
    assert set(response.json()["error"]) == {"code", "message", "details"}


@pytest.mark.parametrize(
    "path", ["/api/plots/", "/api/estates/", "/api/clients/", "/api/purchases/"]
)
def test_lists_run_a_constant_number_of_queries(
    admin_client, company, path, django_assert_max_num_queries, plans_cached
):
    def grow(count):
        for _ in range(count):
            make_sale(company, affiliation=AffiliationFactory(company=company))

    grow(2)
    with django_assert_max_num_queries(10) as small:
        assert admin_client.get(f"{path}?page_size=100").status_code == 200
    grow(15)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert admin_client.get(f"{path}?page_size=100").status_code == 200


# --- clients -------------------------------------------------------------------------------


def test_clients_crud(admin_client, company):
    created = admin_client.post(
        "/api/clients/",
        {
            "email": "Chioma@Example.ng",
            "first_name": "Chioma",
            "phone": "0803 123 4567",
            "address": "Ikoyi",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    client_id = created.json()["id"]
    assert created.json()["email"] == "chioma@example.ng"
    assert (
        admin_client.post(
            "/api/clients/", {"email": "chioma@example.ng"}, format="json"
        ).status_code
        == 409
    )
    updated = admin_client.patch(f"/api/clients/{client_id}/", {"address": "Yaba"}, format="json")
    assert updated.json()["address"] == "Yaba"
    refused = admin_client.patch(f"/api/clients/{client_id}/", {"user_id": 1}, format="json")
    assert refused.status_code == 400
    assert admin_client.delete(f"/api/clients/{client_id}/").status_code == 204


def test_client_with_purchases_is_not_deleted(admin_client, company):
    purchase = make_sale(company)
    response = admin_client.delete(f"/api/clients/{purchase.client_id}/")
    assert response.status_code == 409
    assert PlotPurchase.objects.filter(pk=purchase.pk).exists()


@pytest.mark.parametrize("role", ["marketer", "client"])
def test_only_admins_manage_clients(company, role):
    assert member(company, role).get("/api/clients/").status_code == 403


# --- purchases -----------------------------------------------------------------------------


def test_selling_through_the_api(admin_client, company, estate):
    plot = PlotFactory(estate=estate, price=Decimal("4000000.00"))
    buyer = ClientFactory(company=company)
    affiliation = AffiliationFactory(company=company, commission_rate=Decimal("3.00"))

    response = admin_client.post(
        "/api/purchases/",
        {
            "plot": plot.pk,
            "client": buyer.pk,
            "affiliation": affiliation.pk,
            "agreed_price": "3900000.00",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "completed"
    assert body["agreed_price"] == "3900000.00"
    assert body["plot_number"] == plot.plot_number

    again = admin_client.post(
        "/api/purchases/", {"plot": plot.pk, "client": buyer.pk}, format="json"
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "plot_unavailable"
    assert PlotPurchase.objects.count() == 1

    commissions = admin_client.get("/api/commissions/").json()["results"]
    assert [c["amount"] for c in commissions] == ["117000.00"]


def test_cancel_and_complete_actions(admin_client, company):
    pending = make_sale(company, complete=False)
    completed = admin_client.post(f"/api/purchases/{pending.pk}/complete/", format="json")
    assert completed.json()["status"] == "completed"
    cancelled = admin_client.post(
        f"/api/purchases/{pending.pk}/cancel/", {"reason": "Buyer withdrew"}, format="json"
    )
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancel_reason"] == "Buyer withdrew"
    assert Plot.objects.get(pk=pending.plot_id).status == PlotStatus.AVAILABLE


@pytest.mark.parametrize(
    "body",
    [
        {"plot": 999999, "client": "CLIENT"},
        {"plot": "PLOT", "client": 999999},
        {"plot": "PLOT", "client": "CLIENT", "agreed_price": "-5"},
        {"plot": "PLOT", "client": "CLIENT", "affiliation": 999999},
        {"plot": "PLOT", "client": "CLIENT", "status": "completed"},
        {"plot": "abc", "client": "CLIENT"},
    ],
)
def test_bad_purchase_input_is_refused_and_changes_nothing(admin_client, company, body):
    plot = PlotFactory(estate__company=company)
    buyer = ClientFactory(company=company)
    substitutes = {"PLOT": plot.pk, "CLIENT": buyer.pk}
    body = {key: substitutes.get(value, value) for key, value in body.items()}
    response = admin_client.post("/api/purchases/", body, format="json")
    assert response.status_code == 400, response.content
    assert not PlotPurchase.objects.exists()
    plot.refresh_from_db()
    assert plot.status == PlotStatus.AVAILABLE


def test_a_client_sees_only_their_own_purchases(company):
    mine = make_sale(company)
    theirs = make_sale(company)
    client = client_for(mine.client.user)
    rows = client.get("/api/purchases/").json()["results"]
    assert [row["id"] for row in rows] == [mine.pk]
    assert client.get(f"/api/purchases/{theirs.pk}/").status_code == 404
    assert client.post(f"/api/purchases/{mine.pk}/cancel/", format="json").status_code == 403


def test_a_marketer_sees_only_sales_made_through_them(company):
    affiliation = AffiliationFactory(company=company)
    MembershipFactory(company=company, user=affiliation.marketer.user, role="marketer")
    theirs = make_sale(company, affiliation=affiliation)
    make_sale(company, affiliation=AffiliationFactory(company=company))
    make_sale(company)
    rows = client_for(affiliation.marketer.user).get("/api/purchases/").json()["results"]
    assert [row["id"] for row in rows] == [theirs.pk]


def test_another_companys_plot_cannot_be_sold(admin_client, company):
    foreign_plot = PlotFactory(estate__company=CompanyFactory())
    response = admin_client.post(
        "/api/purchases/",
        {"plot": foreign_plot.pk, "client": ClientFactory(company=company).pk},
        format="json",
    )
    assert response.status_code == 400
    foreign_plot.refresh_from_db()
    assert foreign_plot.status == PlotStatus.AVAILABLE


def test_a_deleted_client_loses_access_to_the_company(admin_client, company):
    client = ClientFactory(company=company)
    buyer = client_for(client.user)
    assert buyer.get("/api/estates/").status_code == 200

    assert admin_client.delete(f"/api/clients/{client.pk}/").status_code == 204

    response = buyer.get("/api/estates/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "no_company"


@pytest.mark.parametrize(
    "query",
    [
        "estate=99999999999999999999999",
        "estate=1e30",
        "estate=1.5",
        "min_price=1e30",
        "max_size=99999999999999",
    ],
)
def test_absurd_numbers_in_filters_are_400s(admin_client, query):
    response = admin_client.get(f"/api/plots/?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


@pytest.mark.parametrize("path", ["/api/purchases/?plot=", "/api/commissions/?affiliation="])
def test_absurd_ids_in_other_filters_are_400s(admin_client, path):
    assert admin_client.get(f"{path}99999999999999999999999").status_code == 400


@pytest.mark.parametrize(
    "state",
    [{"subscription_status": "suspended"}, {"subscription_status": "cancelled"}],
)
def test_an_inactive_company_reads_but_cannot_change_its_data(company, estate, state):
    for field, value in state.items():
        setattr(company, field, value)
    company.save()
    from rest_framework.test import APIClient

    from tests.companies.factories import make_api_key

    admin = client_for(MembershipFactory(company=company, role="company_admin").user)
    with_key = APIClient()
    with_key.credentials(HTTP_X_API_KEY=make_api_key(company))

    for client in (admin, with_key):
        assert client.get("/api/estates/").status_code == 200
        refused = client.post(
            "/api/estates/", {"name": "New", "location": "x", "state": "Lagos"}, format="json"
        )
        assert refused.status_code == 402
        assert refused.json()["error"]["code"] == "subscription_inactive"
        assert (
            client.patch(f"/api/estates/{estate.pk}/", {"name": "Y"}, format="json").status_code
            == 402
        )
    assert Estate.objects.filter(company=company).count() == 1
    # It can still manage its own account, to renew.
    assert (
        admin.patch("/api/company/", {"phone": "0809 123 4567"}, format="json").status_code == 200
    )
