"""The company's dashboard numbers (/api/company/stats/), cached per company: each kind of
write is seen by the very next read, a warm read asks the database nothing, and the
cache down serves them uncached."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import override_settings

from apps.estates.services import purchase_cancel, purchase_complete
from apps.marketers import services as marketer_services
from apps.marketers.models import MarketerEarnedCommission
from apps.usage.counters import reset_counter_store
from config.caches import caches_for
from tests.accounts.factories import UserFactory
from tests.estates.factories import EstateFactory, PlotFactory
from tests.estates.sales import make_sale
from tests.marketers.affiliations import approved_affiliation, pending_affiliation

pytestmark = pytest.mark.django_db

STATS = "/api/company/stats/"


def stats(client):
    response = client.get(STATS)
    assert response.status_code == 200, response.content
    return response.json()


def test_an_empty_company_has_every_number_at_zero(admin_client):
    assert stats(admin_client) == {
        "estates": 0,
        "plots": {"available": 0, "reserved": 0, "sold": 0},
        "clients": 0,
        "sales": {"pending": 0, "completed": 0, "cancelled": 0},
        "sales_value": "0.00",
        "marketers": {"pending": 0, "approved": 0, "rejected": 0, "suspended": 0},
        "commissions": {"pending": "0.00", "approved": "0.00", "paid": "0.00", "cancelled": "0.00"},
    }


def test_a_warm_read_asks_the_database_nothing(
    admin_client, company, plans_cached, django_assert_num_queries
):
    PlotFactory(estate=EstateFactory(company=company))
    stats(admin_client)
    with django_assert_num_queries(0):
        assert stats(admin_client)["plots"]["available"] == 1


def test_estate_and_plot_writes_are_seen_by_the_next_read(admin_client, commit):
    assert stats(admin_client)["estates"] == 0
    with commit():
        estate = admin_client.post(
            "/api/estates/", {"name": "Palms", "location": "Ajah", "state": "Lagos"}, format="json"
        ).json()
    assert stats(admin_client)["estates"] == 1
    with commit():
        plot = admin_client.post(
            "/api/plots/",
            {"estate": estate["id"], "plot_number": "A-1", "size_sqm": "300", "price": "5.00"},
            format="json",
        ).json()
    assert stats(admin_client)["plots"] == {"available": 1, "reserved": 0, "sold": 0}
    with commit():
        admin_client.patch(f"/api/plots/{plot['id']}/", {"status": "reserved"}, format="json")
    assert stats(admin_client)["plots"] == {"available": 0, "reserved": 1, "sold": 0}
    with commit():
        admin_client.delete(f"/api/plots/{plot['id']}/")
    assert stats(admin_client)["plots"] == {"available": 0, "reserved": 0, "sold": 0}
    with commit():
        admin_client.delete(f"/api/estates/{estate['id']}/")
    assert stats(admin_client)["estates"] == 0


def test_a_new_client_is_seen_by_the_next_read(admin_client, commit):
    assert stats(admin_client)["clients"] == 0
    with commit():
        response = admin_client.post("/api/clients/", {"email": "ada@example.ng"}, format="json")
    assert response.status_code == 201
    assert stats(admin_client)["clients"] == 1


def test_a_sale_its_completion_and_a_cancellation_are_seen_by_the_next_read(
    admin_client, company, commit
):
    stats(admin_client)
    with commit():
        sale = make_sale(company, complete=False, price=Decimal("2500000.00"))
    body = stats(admin_client)
    assert body["sales"] == {"pending": 1, "completed": 0, "cancelled": 0}
    assert body["plots"]["reserved"] == 1 and body["sales_value"] == "0.00"
    with commit():
        purchase_complete(company_id=company.pk, purchase_id=sale.pk)
    body = stats(admin_client)
    assert body["sales"] == {"pending": 0, "completed": 1, "cancelled": 0}
    assert body["plots"]["sold"] == 1 and body["sales_value"] == "2500000.00"
    with commit():
        purchase_cancel(company_id=company.pk, purchase_id=sale.pk, reason="refund")
    body = stats(admin_client)
    assert body["sales"] == {"pending": 0, "completed": 0, "cancelled": 1}
    assert body["sales_value"] == "0.00" and body["plots"]["available"] == 1


def test_affiliation_decisions_are_seen_by_the_next_read(admin_client, company, commit):
    stats(admin_client)
    with commit():
        first = marketer_services.affiliation_request(
            user_id=UserFactory().pk, company_id=company.pk
        )
    assert stats(admin_client)["marketers"]["pending"] == 1
    with commit():
        marketer_services.affiliation_approve(
            company_id=company.pk,
            affiliation_id=first.pk,
            decided_by_id=None,
            commission_rate=Decimal("5"),
        )
    assert stats(admin_client)["marketers"] == {
        "pending": 0,
        "approved": 1,
        "rejected": 0,
        "suspended": 0,
    }
    with commit():
        marketer_services.affiliation_suspend(
            company_id=company.pk, affiliation_id=first.pk, decided_by_id=None, reason="x"
        )
    assert stats(admin_client)["marketers"]["suspended"] == 1
    with commit():
        marketer_services.affiliation_reactivate(
            company_id=company.pk, affiliation_id=first.pk, decided_by_id=None
        )
    assert stats(admin_client)["marketers"]["approved"] == 1


def test_an_application_and_a_rejection_are_seen_by_the_next_read(admin_client, company, commit):
    stats(admin_client)
    second = pending_affiliation(company)
    with commit():
        marketer_services.affiliation_reject(
            company_id=company.pk, affiliation_id=second.pk, decided_by_id=None, reason="no"
        )
    assert stats(admin_client)["marketers"]["rejected"] == 1


def test_commissions_earned_approved_and_paid_are_seen_by_the_next_read(
    admin_client, company, commit
):
    affiliation = approved_affiliation(company, rate="10.00")
    stats(admin_client)
    with commit():
        make_sale(company, affiliation=affiliation, price=Decimal("1000000.00"))
    assert stats(admin_client)["commissions"]["pending"] == "100000.00"
    commission = MarketerEarnedCommission.objects.get(company=company)
    with commit():
        marketer_services.commission_approve(
            company_id=company.pk, commission_id=commission.pk, approved_by_id=None
        )
    body = stats(admin_client)["commissions"]
    assert (body["pending"], body["approved"]) == ("0.00", "100000.00")
    with commit():
        marketer_services.commission_mark_paid(
            company_id=company.pk, commission_id=commission.pk, payment_reference="TRF-1"
        )
    assert stats(admin_client)["commissions"]["paid"] == "100000.00"


def test_only_admins_read_them_and_only_their_companys(admin_client, company):
    from tests.companies.factories import CompanyFactory, MembershipFactory
    from tests.conftest import client_for

    PlotFactory(estate=EstateFactory(company=CompanyFactory()))
    assert stats(admin_client)["plots"]["available"] == 0
    marketer = client_for(MembershipFactory(company=company, role="marketer").user)
    assert marketer.get(STATS).status_code == 403


def test_with_the_cache_down_the_numbers_are_read_uncached(admin_client, company):
    PlotFactory(estate=EstateFactory(company=company))
    reset_counter_store()
    try:
        with override_settings(CACHES=caches_for("redis://127.0.0.1:1/0", key_prefix="t")):
            reset_counter_store()
            assert cache.get("anything") is None
            assert stats(admin_client)["plots"]["available"] == 1
    finally:
        reset_counter_store()


def test_a_plot_limit_change_is_seen_by_the_next_usage_read(admin_client, company):
    assert admin_client.get("/api/usage/").json()["max_plots"] == company.max_plots
    company.max_plots = 12345
    company.save()
    assert admin_client.get("/api/usage/").json()["max_plots"] == 12345
