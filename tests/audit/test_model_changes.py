"""Model changes are recorded with before/after values, the company and the actor; secrets
and personal data are masked; bulk changes made by services are recorded too."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.audit.models import ActorKind
from apps.audit.tracking import MASK
from apps.companies import services as companies
from apps.estates.models import Plot
from apps.marketers.models import CommissionStatus, MarketerEarnedCommission
from apps.marketers.services import commissions_process
from tests.audit.helpers import entries, only
from tests.companies.factories import CompanyFactory, MembershipFactory
from tests.conftest import client_for
from tests.estates.factories import EstateFactory, PlotFactory
from tests.estates.sales import make_sale
from tests.marketers.affiliations import approved_affiliation

pytestmark = pytest.mark.django_db


def test_a_plot_patched_through_the_api_records_one_update_with_before_and_after(
    company, admin_user
):
    plot = PlotFactory(company=company, price=Decimal("1000000.00"))
    client = client_for(admin_user)
    response = client.patch(
        f"/api/plots/{plot.pk}/",
        {"price": "1250000.00"},
        format="json",
        HTTP_USER_AGENT="pytest-agent/1.0",
        HTTP_X_REQUEST_ID="req-0123456789",
    )
    assert response.status_code == 200, response.content
    entry = only("update", object_pk=str(plot.pk), content_type__model="plot")
    assert entry.changes == {"price": ["1000000.00", "1250000.00"]}
    assert entry.company_id == company.pk
    assert entry.actor_id == admin_user.pk
    assert entry.actor_email == admin_user.email
    assert entry.actor_kind == ActorKind.USER
    assert entry.user_agent == "pytest-agent/1.0"
    assert entry.cid == "req-0123456789"
    assert entry.remote_addr == "127.0.0.1"
    assert response["X-Request-ID"] == "req-0123456789"


def test_creating_and_deleting_a_plot_are_recorded(company):
    estate = EstateFactory(company=company)
    plot = Plot.objects.create(
        company=company,
        estate=estate,
        plot_number="A-1",
        size_sqm=Decimal("500.00"),
        price=Decimal("100.00"),
    )
    created = only("create", object_pk=str(plot.pk), content_type__model="plot")
    assert created.changes["plot_number"] == ["None", "A-1"]
    assert created.actor_kind == ActorKind.SYSTEM  # no request: the system did it
    plot_pk = plot.pk
    plot.delete()
    deleted = only("delete", object_pk=str(plot_pk), content_type__model="plot")
    assert deleted.company_id == company.pk


def test_an_api_key_hash_is_masked_in_the_entry(company, admin_user):
    created = companies.api_key_create(company_id=company.pk, name="Site", created_by_id=None)
    entry = only("create", content_type__model="apikey")
    assert entry.changes["key_hash"][1] == MASK
    assert created.raw_key not in str(entry.changes)
    from apps.companies.models import ApiKey

    key_hash = ApiKey.objects.get(pk=created.api_key.pk).key_hash
    assert key_hash not in str(entry.changes) and key_hash not in entry.object_repr


def test_company_phone_and_gateway_ids_are_masked(company):
    companies.company_update_profile(company_id=company.pk, data={"phone": "+2348031234567"})
    entry = only("update", content_type__model="company")
    assert entry.changes["phone"][1] == MASK
    assert "8031234567" not in str(entry.changes)
    companies.company_link_gateway_customer(company_id=company.pk, customer_id="cus_SECRET123")
    bulk = entries("update", content_type__model="company")[-1]
    assert bulk.changes == {"stripe_customer_id": [MASK, MASK]}
    assert "cus_SECRET123" not in str(bulk.changes) + bulk.object_repr


def test_a_membership_suspended_in_bulk_is_recorded_once_per_row(company):
    membership = MembershipFactory(company=company, role="marketer")
    companies.membership_set_active(
        company_id=company.pk, user_id=membership.user_id, role="marketer", active=False
    )
    entry = only("update", content_type__model="membership")
    assert entry.changes == {"is_active": [True, False]}
    assert entry.additional_data == {"bulk": True}
    # Nothing changes the second time: nothing recorded.
    companies.membership_set_active(
        company_id=company.pk, user_id=membership.user_id, role="marketer", active=False
    )
    assert len(entries("update", content_type__model="membership")) == 1


def test_due_commissions_approved_in_bulk_are_each_recorded(company):
    affiliation = approved_affiliation(company)
    first, second = (
        MarketerEarnedCommission.objects.get(purchase=make_sale(company, affiliation=affiliation))
        for _ in range(2)
    )
    commissions_process(now=timezone.now() + timedelta(days=30))
    recorded = entries("update", content_type__model="marketerearnedcommission")
    assert sorted(int(entry.object_pk) for entry in recorded) == sorted([first.pk, second.pk])
    assert all(
        entry.changes["status"] == [CommissionStatus.PENDING, CommissionStatus.APPROVED]
        for entry in recorded
    )


def test_an_untracked_model_records_nothing(company):
    from tests.estates.factories import ClientFactory

    ClientFactory(company=company)
    assert entries(content_type__model="client") == []


def test_each_company_sees_its_own_rows_entries():
    first, second = CompanyFactory(), CompanyFactory()
    PlotFactory(company=first)
    PlotFactory(company=second)
    assert {entry.company_id for entry in entries("create", content_type__model="plot")} == {
        first.pk,
        second.pk,
    }


def test_auditing_a_plot_patch_costs_one_statement_on_postgresql_and_three_on_sqlite(
    company, admin_user, plans_cached
):
    from auditlog.context import disable_auditlog
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plot = PlotFactory(company=company)
    client = client_for(admin_user)
    client.patch(f"/api/plots/{plot.pk}/", {"price": "5.00"}, format="json")  # warm caches
    with CaptureQueriesContext(connection) as audited:
        client.patch(f"/api/plots/{plot.pk}/", {"price": "6.00"}, format="json")
    with disable_auditlog(), CaptureQueriesContext(connection) as unaudited:
        client.patch(f"/api/plots/{plot.pk}/", {"price": "7.00"}, format="json")
    # PostgreSQL: one statement moves the chain's head and inserts the entry; SQLite: the
    # head read, the insert and the head's update. The old values come from the loaded row.
    extra = 1 if connection.vendor == "postgresql" else 3
    assert len(audited) == len(unaudited) + extra
    assert len(entries("update", object_pk=str(plot.pk), content_type__model="plot")) == 2


def test_a_plot_loaded_then_saved_twice_records_each_change_from_its_real_before(company):
    plot = PlotFactory(company=company, price=Decimal("100.00"))
    loaded = Plot.objects.get(pk=plot.pk)
    loaded.price = Decimal("200.00")
    loaded.save(update_fields=["price", "updated_at"])
    loaded.price = Decimal("300.00")
    loaded.save(update_fields=["price", "updated_at"])
    updates = entries("update", object_pk=str(plot.pk), content_type__model="plot")
    assert [entry.changes["price"] for entry in updates] == [
        ["100.00", "200.00"],
        ["200.00", "300.00"],
    ]


def test_a_row_loaded_with_deferred_fields_still_gets_its_before_values(company):
    plot = PlotFactory(company=company, price=Decimal("100.00"))
    partial = Plot.objects.only("id", "company_id", "price").get(pk=plot.pk)
    partial.price = Decimal("150.00")
    partial.save(update_fields=["price"])
    entry = only("update", object_pk=str(plot.pk), content_type__model="plot")
    assert entry.changes == {"price": ["100.00", "150.00"]}
