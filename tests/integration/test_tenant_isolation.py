"""Walks every registered API route with two companies.

A member of company A asking for company B's objects gets 404 (never 403, never the
object), B's objects never appear in A's lists, and an anonymous caller gets 401 from
every route that is not public. A new route fails here until it is listed below.
"""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from apps.audit.models import AuditEntry
from apps.billing.models import Invoice
from apps.companies.models import ApiKey, Membership
from apps.estates.models import Client, Estate, Plot, PlotPurchase
from apps.marketers.models import (
    AffiliationStatus,
    MarketerAffiliation,
    MarketerEarnedCommission,
)
from apps.notifications.models import UserNotification
from apps.payments.models import Payment
from apps.payments.services import payment_record_offline
from apps.search.models import SavedSearch
from apps.search.services import saved_search_create
from tests.billing.factories import issued_invoice
from tests.companies.factories import CompanyFactory, MembershipFactory, make_api_key
from tests.conftest import client_for
from tests.estates.factories import ClientFactory, EstateFactory, PlotFactory
from tests.estates.sales import make_sale
from tests.integration.routes import Route, api_routes
from tests.marketers.factories import AffiliationFactory
from tests.notifications.in_app import notify_in_app

pytestmark = pytest.mark.django_db

# Routes anyone may call: logging in, signing up, the plan catalogue, the API docs and
# unsubscribing by an emailed link.
PUBLIC_ROUTES = {
    "login",
    "refresh",
    "logout",
    "password-reset",
    "password-reset-confirm",
    "signup",
    "marketer-signup",
    "email-verify",
    "invitation-signup",
    "stripe-webhook",
    "notification-unsubscribe",
    "plans",
    "schema",
    "docs",
}

# Routes about the caller's own user or own company, with no object id of another tenant.
SELF_ROUTES = {
    "me",
    "password-change",
    "email-verify-resend",
    "company",
    "company-stats",
    "company-create",
    "my-affiliation-list",
    "invitation-accept",
    "usage",
    "subscription",
    "checkout",
    "subscription-change",
    "subscription-cancel",
    "portal",
    # The caller's own notifications (in the request's company) and preferences.
    "notification-read-all",
    "notification-unread-count",
    "notification-preferences",
    # The company's own search analytics (its admins').
    "search-analytics",
    # The company's own reports from its roll-ups (its admins'), JSON and CSV: proved
    # below to hold none of another company's numbers.
    "analytics-sales",
    "analytics-sales-export",
    "analytics-marketers",
    "analytics-marketers-export",
    "analytics-clients",
    "analytics-clients-export",
    "analytics-usage",
    "analytics-usage-export",
}

# Routes for our staff only (is_staff), across every company: a company's member gets 403.
STAFF_ROUTES = {
    "platform-revenue",
    "platform-churn",
    "platform-cohorts",
    "platform-usage",
}


def _membership(company: Any) -> int:
    return MembershipFactory(company=company, role="client").pk


def _api_key(company: Any) -> int:
    make_api_key(company, name="B's key")
    return ApiKey.objects.filter(company=company).latest("id").pk


def _commission(company: Any) -> int:
    affiliation = AffiliationFactory(company=company)
    return MarketerEarnedCommission.objects.get(
        purchase_id=make_sale(company, affiliation=affiliation).pk
    ).pk


def _invoice(company: Any) -> int:
    return issued_invoice(company).pk


def _payment(company: Any) -> int:
    invoice = issued_invoice(company)
    return payment_record_offline(
        company_id=company.pk,
        invoice_id=invoice.pk,
        amount=Decimal("1000.00"),
        method="bank_transfer",
        reference=f"TRF-{invoice.pk}",
    ).payment_id


def _notification(company: Any) -> int:
    """A notice of the company in its first admin's in-app list (one made if it has none)."""
    admin = Membership.objects.filter(company=company, role="company_admin").order_by("id").first()
    user = admin.user if admin else MembershipFactory(company=company, role="company_admin").user
    return notify_in_app(company, user)[0]


def _audit_entry(company: Any) -> int:
    """An entry of the company's audit trail (an estate's creation)."""
    estate = EstateFactory(company=company)
    return AuditEntry.objects.get(
        company_id=company.pk, content_type__model="estate", object_pk=str(estate.pk), action=0
    ).pk


def _saved_search(company: Any) -> int:
    """A saved search of the company's first admin (the walk's caller, in its own
    company: saved searches are listed to their owner only)."""
    admin = Membership.objects.filter(company=company, role="company_admin").order_by("id").first()
    owner = admin.user if admin else MembershipFactory(company=company, role="company_admin").user
    return saved_search_create(
        company_id=company.pk, owner_id=owner.pk, name="Lekki", query="lekki"
    ).pk


# Resource (route name before -list/-detail/-<action>) -> makes an object in the given
# company and returns its id.
OBJECT_FACTORIES: dict[str, Callable[[Any], int]] = {
    "membership": _membership,
    "api-key": _api_key,
    "estate": lambda company: EstateFactory(company=company).pk,
    "plot": lambda company: PlotFactory(estate__company=company).pk,
    "client": lambda company: ClientFactory(company=company).pk,
    "purchase": lambda company: make_sale(company, complete=False).pk,
    "affiliation": lambda company: (
        AffiliationFactory(company=company, status=AffiliationStatus.PENDING).pk
    ),
    "commission": _commission,
    "invoice": _invoice,
    "payment": _payment,
    "notification": _notification,
    "audit-log": _audit_entry,
    "saved-search": _saved_search,
}

# Model of each resource, to check the object is untouched after A's attempts.
MODELS = {
    "membership": Membership,
    "api-key": ApiKey,
    "estate": Estate,
    "plot": Plot,
    "client": Client,
    "purchase": PlotPurchase,
    "affiliation": MarketerAffiliation,
    "commission": MarketerEarnedCommission,
    "invoice": Invoice,
    "payment": Payment,
    "notification": UserNotification,
    "audit-log": AuditEntry,
    "saved-search": SavedSearch,
}


def _resource(route: Route) -> str:
    matches = [name for name in OBJECT_FACTORIES if route.name.startswith(f"{name}-")]
    return max(matches, key=len) if matches else route.name


def test_every_route_is_classified():
    for route in api_routes():
        if route.name in PUBLIC_ROUTES | SELF_ROUTES | STAFF_ROUTES:
            continue
        assert _resource(route) in OBJECT_FACTORIES, (
            f"{route.template} ({route.name}) has no tenant-isolation coverage: add a factory"
        )


@pytest.mark.parametrize("route", [r for r in api_routes() if r.name not in PUBLIC_ROUTES], ids=str)
def test_anonymous_callers_get_401(api_client, route):
    pk = 1
    for method in route.methods:
        response = getattr(api_client, method)(route.path(pk), {}, format="json")
        assert response.status_code == 401, f"{method.upper()} {route.template}"
        assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("route", [r for r in api_routes() if r.name in STAFF_ROUTES], ids=str)
def test_staff_routes_refuse_every_company_member(route):
    company = CompanyFactory()
    for role in ("company_admin", "marketer", "client"):
        client = client_for(MembershipFactory(company=company, role=role).user)
        for method in route.methods:
            response = getattr(client, method)(route.path(), format="json")
            assert response.status_code == 403, f"{role} {method.upper()} {route.template}"
            assert response.json()["error"]["code"] == "permission_denied"


@pytest.mark.parametrize("route", [r for r in api_routes() if r.is_detail], ids=str)
def test_another_companys_object_is_404_and_untouched(route):
    company_a, company_b = CompanyFactory(), CompanyFactory()
    admin_a = MembershipFactory(company=company_a, role="company_admin").user
    MembershipFactory(company=company_b, role="company_admin")
    resource = _resource(route)
    pk = OBJECT_FACTORIES[resource](company_b)
    before = MODELS[resource].objects.filter(pk=pk).values().get()
    client = client_for(admin_a)

    for method in route.methods:
        response = getattr(client, method)(
            route.path(pk), {"role": "client", "name": "x"}, format="json"
        )
        assert response.status_code == 404, f"{method.upper()} {route.template}"
        assert response.json()["error"]["code"] == "not_found"

    assert MODELS[resource].objects.filter(pk=pk).values().get() == before


@pytest.mark.parametrize(
    "route",
    [r for r in api_routes() if r.name.endswith("-list") and _resource(r) in OBJECT_FACTORIES],
    ids=str,
)
def test_lists_never_show_another_companys_objects(route):
    company_a, company_b = CompanyFactory(), CompanyFactory()
    admin_a = MembershipFactory(company=company_a, role="company_admin").user
    own = OBJECT_FACTORIES[_resource(route)](company_a)
    foreign = OBJECT_FACTORIES[_resource(route)](company_b)

    response = client_for(admin_a).get(route.path())
    assert response.status_code == 200
    ids = {item["id"] for item in response.json()["results"]}
    assert own in ids
    assert foreign not in ids


def test_plot_search_never_finds_nor_counts_another_companys_plots():
    company_a, company_b = CompanyFactory(), CompanyFactory()
    admin_a = MembershipFactory(company=company_a, role="company_admin").user
    own = OBJECT_FACTORIES["plot"](company_a)
    foreign = OBJECT_FACTORIES["plot"](company_b)

    body = client_for(admin_a).get("/api/plots/search/").json()
    assert [item["id"] for item in body["results"]] == [own]
    assert foreign not in [item["id"] for item in body["results"]]
    assert sum(row["count"] for row in body["facets"]["estate"]) == 1


def test_self_routes_show_only_the_callers_company():
    company_a, company_b = CompanyFactory(), CompanyFactory()
    admin_a = MembershipFactory(company=company_a, role="company_admin").user
    MembershipFactory(company=company_b, role="company_admin")
    client = client_for(admin_a)
    assert client.get("/api/company/").json()["id"] == company_a.pk
    me = client.get("/api/auth/me/").json()
    assert [m["company_id"] for m in me["memberships"]] == [company_a.pk]
    OBJECT_FACTORIES["plot"](company_b)
    assert client.get("/api/company/stats/").json()["plots"]["available"] == 0


def test_notifications_of_another_company_are_neither_counted_nor_marked():
    company_a, company_b = CompanyFactory(), CompanyFactory()
    admin_a = MembershipFactory(company=company_a, role="company_admin").user
    MembershipFactory(company=company_b, role="company_admin")
    of_b = _notification(company_b)
    client = client_for(admin_a)

    assert client.get("/api/notifications/unread-count/").json() == {"unread": 0}
    assert client.post("/api/notifications/read-all/", format="json").json() == {"marked_read": 0}
    assert UserNotification.objects.get(pk=of_b).read_at is None


def test_analytics_reports_hold_only_the_callers_company():
    from datetime import date

    from apps.analytics.services import rollups_build
    from tests.analytics.scenario import october

    theirs = october()
    company_a = CompanyFactory()
    admin_a = MembershipFactory(company=company_a, role="company_admin").user
    rollups_build(first=date(2026, 10, 1), last=date(2026, 10, 31))
    client = client_for(admin_a)
    query = "?from=2026-10-01&to=2026-10-31&granularity=month"
    for name in ("sales", "marketers", "clients", "usage"):
        body = client.get(f"/api/analytics/{name}/{query}").json()
        assert not any(value not in (0, "0.00", None) for value in body["totals"].values()), name
        csv = b"".join(client.get(f"/api/analytics/{name}/export/{query}").streaming_content)
        assert str(theirs.estate_1.name).encode() not in csv
        assert b"Ada Obi" not in csv
