from dataclasses import dataclass
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.companies.models import Company, Membership
from apps.demo.companies import DEMO_COMPANIES, DEMO_PASSWORD
from apps.demo.models import SeedStep
from apps.demo.seeding import steps as seeding_steps
from apps.estates.models import Client, Estate, Plot, PlotPurchase
from apps.estates.services import purchase_create
from apps.marketers.models import MarketerAffiliation, MarketerEarnedCommission
from apps.marketers.services import affiliation_suspend
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Run:
    out: str
    err: str


def seed_run() -> Run:
    out, err = StringIO(), StringIO()
    call_command("seed_demo", stdout=out, stderr=err)
    return Run(out.getvalue(), err.getvalue())


def seed() -> str:
    return seed_run().out


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def login(email: str) -> APIClient:
    response = APIClient().post(
        "/api/auth/login/", {"email": email, "password": DEMO_PASSWORD}, format="json"
    )
    assert response.status_code == 200, (email, response.content)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    return client


def test_seed_demo_creates_one_company_per_tier_with_working_logins():
    output = seed()
    assert sorted(Company.objects.values_list("subscription_tier", flat=True)) == [
        "enterprise",
        "professional",
        "starter",
    ]
    assert DEMO_PASSWORD in output
    for demo in DEMO_COMPANIES:
        for email in (demo.admin_email, demo.person("marketer", 1), demo.person("client", 1)):
            assert email in output
        company = Membership.objects.get(user__email=demo.admin_email).company
        assert company.is_subscription_active()
        assert login(demo.admin_email).get("/api/company/").json()["id"] == company.pk
        assert len(login(demo.person("client", 1)).get("/api/purchases/").json()["results"]) >= 1
        assert login(demo.person("marketer", 1)).get("/api/commissions/").status_code == 200
    assert User.objects.get(email="billing@estateapp.demo").is_billing_staff


def test_seed_demo_fills_each_company_with_domain_data():
    seed()
    for company in Company.objects.all():
        assert Estate.objects.filter(company=company).exists()
        assert Plot.objects.filter(company=company).count() >= 6
        assert PlotPurchase.objects.filter(company=company, status="completed").exists()
        assert PlotPurchase.objects.filter(company=company, status="pending").exists()
        assert MarketerAffiliation.objects.filter(company=company, status="approved").exists()
        assert MarketerAffiliation.objects.filter(company=company, status="pending").exists()
        assert MarketerEarnedCommission.objects.filter(company=company).exists()


def test_seed_demo_gives_paying_companies_a_billing_history():
    from apps.billing.models import Invoice
    from apps.payments.models import Payment

    seed()
    for company in Company.objects.all():
        invoices = list(Invoice.objects.filter(company=company).order_by("period_start"))
        if company.subscription_status == "trialing":
            assert invoices == []
            continue
        assert [invoice.status for invoice in invoices] == ["paid", "issued", "issued"]
        assert invoices[1].amount_paid == (invoices[1].total / 2).quantize(invoices[1].total)
        assert invoices[2].amount_paid == 0
        assert sorted(Payment.objects.filter(company=company).values_list("method", flat=True)) == [
            "bank_transfer",
            "cash",
        ]


def test_seed_demo_is_idempotent():
    seed()
    counts = {model._meta.label: model.objects.count() for model in apps.get_models()}
    second_output = seed()
    assert {model._meta.label: model.objects.count() for model in apps.get_models()} == counts
    assert "admin@abuja-homes.demo" in second_output


def test_seed_demo_is_refused_in_production(settings):
    settings.DJANGO_ENV = "production"
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=StringIO())
    assert not Company.objects.exists()


# --- seeding again after people used the demo --------------------------------------------------

LEKKI = DEMO_COMPANIES[0]


def results(client: APIClient, path: str) -> list[dict]:
    response = client.get(path)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_seeding_again_after_a_newcomer_changed_the_demo_keeps_every_change():
    seed()
    admin = login(LEKKI.admin_email)
    # What a newcomer tries first, through the API as the demo admin.
    estate = results(admin, "/api/estates/")[0]
    assert (
        admin.patch(
            f"/api/estates/{estate['id']}/", {"name": "Lekki Pearl Phase 2"}, format="json"
        ).status_code
        == 200
    )
    approved = [a for a in results(admin, "/api/affiliations/") if a["status"] == "approved"]
    assert len(approved) == 1
    suspended = admin.post(
        f"/api/affiliations/{approved[0]['id']}/suspend/", {"reason": "trying it"}, format="json"
    )
    assert suspended.status_code == 200
    clients = {c["email"]: c["id"] for c in results(admin, "/api/clients/")}
    assert admin.delete(f"/api/clients/{clients[LEKKI.person('client', 3)]}/").status_code == 204
    assert admin.delete(f"/api/clients/{clients[LEKKI.person('client', 1)]}/").status_code == 409
    plot = results(admin, f"/api/plots/?estate={estate['id']}&status=available")[0]
    assert (
        admin.patch(f"/api/plots/{plot['id']}/", {"price": "9999999.00"}, format="json").status_code
        == 200
    )
    assert (
        admin.patch("/api/company/", {"name": "Lekki Gardens Homes"}, format="json").status_code
        == 200
    )
    changed = row_counts()

    runs = [seed_run(), seed_run()]

    assert row_counts() == changed  # nothing recreated, nothing undone
    for run in runs:
        assert run.err == ""
        assert f"{LEKKI.name}: seeded before; left as it is" in run.out
        assert "Lekki Gardens Homes (starter, trialing):" in run.out
        assert f"{LEKKI.person('marketer', 1):<34} marketer (suspended)" in run.out
    company_id = admin.get("/api/company/").json()["id"]
    assert list(Estate.objects.filter(company_id=company_id).values_list("name", flat=True)) == [
        "Lekki Pearl Phase 2"
    ]
    assert MarketerAffiliation.objects.get(pk=approved[0]["id"]).status == "suspended"
    assert not Client.objects.filter(email=LEKKI.person("client", 3)).exists()
    assert Plot.objects.get(pk=plot["id"]).price == Decimal("9999999.00")
    # The printed logins still work, and see the changed demo.
    assert login(LEKKI.admin_email).get("/api/company/").json()["name"] == "Lekki Gardens Homes"
    assert len(login(LEKKI.person("client", 1)).get("/api/purchases/").json()["results"]) >= 1
    login(LEKKI.person("marketer", 1))
    assert login(DEMO_COMPANIES[1].admin_email).get("/api/estates/").status_code == 200


# Each step commits on its own: what was done before the failure stays in the database.
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("plan_catalogue")
def test_a_seeding_that_failed_partway_is_completed_by_the_next_run(monkeypatch):
    def refuse_plot_one(**kwargs):
        if Plot.objects.filter(pk=kwargs["plot_id"], plot_number="GU-001").exists():
            raise ValueError("interrupted")  # what a bug or Ctrl-C would do mid-way
        return purchase_create(**kwargs)

    monkeypatch.setattr("apps.estates.services.purchase_create", refuse_plot_one)
    with pytest.raises(ValueError, match="interrupted"):
        seed_run()
    monkeypatch.undo()
    assert Company.objects.count() == 2  # the first company and most of the second, kept
    assert not PlotPurchase.objects.filter(plot__plot_number="GU-001").exists()
    done_before = SeedStep.objects.count()

    run = seed_run()

    assert run.err == ""
    assert f"{DEMO_COMPANIES[0].name}: seeded before; left as it is" in run.out
    assert f"{DEMO_COMPANIES[1].name}: completed (" in run.out
    assert f"  {DEMO_COMPANIES[2].name}: seeded\n" in run.out
    assert SeedStep.objects.count() > done_before
    assert PlotPurchase.objects.filter(plot__plot_number="GU-001", status="completed").exists()
    counts = row_counts()
    seed_run()
    assert row_counts() == counts


def test_what_cannot_be_seeded_is_reported_and_the_rest_is_seeded():
    # Someone already has the first demo admin's address, as a marketer (no company).
    UserFactory(email=LEKKI.admin_email)

    run = seed_run()

    assert f"{LEKKI.name}: not created" in run.out
    assert f"{LEKKI.name}: could not create the company and its admin" in run.err
    assert "no company's admin" in run.err
    assert f"{LEKKI.name}: not there" in run.out
    assert Company.objects.count() == 2
    for demo in DEMO_COMPANIES[1:]:
        assert f"  {demo.name}: seeded\n" in run.out
        assert login(demo.admin_email).get("/api/company/").status_code == 200
    assert "billing@estateapp.demo" in run.out
    # Still reported, still not failing, on the next run.
    again = seed_run()
    assert f"{LEKKI.name}: could not create the company" in again.err


def test_a_sale_that_is_refused_is_reported_and_the_estate_kept(monkeypatch):
    # A half-seeded company meeting a person's change: the marketer it sells through was
    # suspended before the estate's sales were made.
    original = seeding_steps._make_estate

    def make_estate_then_suspend(demo, estate, ids):
        estate_id = original(demo, estate, ids)
        if estate.name == "Guzape Hills":
            affiliation_suspend(
                company_id=ids["company"], affiliation_id=ids["marketer:1"], decided_by_id=None
            )
        return estate_id

    monkeypatch.setattr(seeding_steps, "_make_estate", make_estate_then_suspend)

    run = seed_run()

    # Every sale through the suspended marketer, in both estates; the direct ones are made.
    refused = [line for line in run.err.splitlines() if "could not sell" in line]
    assert [line.split("could not sell plot ")[1][:6] for line in refused] == [
        "GU-001",
        "GU-003",
        "LU-001",
        "LU-003",
    ]
    assert "GU-001 to client1@abuja-homes.demo through marketer1@abuja-homes.demo" in refused[0]
    assert all("suspended" in line for line in refused)  # the reason, as the service gave it
    assert "  Abuja Homes Ltd: seeded\n" in run.out
    assert Estate.objects.filter(name="Guzape Hills").exists()
    assert PlotPurchase.objects.filter(plot__plot_number__in=["GU-002", "LU-002"]).count() == 2
    assert not PlotPurchase.objects.filter(plot__plot_number__in=["GU-001", "LU-003"]).exists()
    assert "marketer (suspended)" in run.out


def test_companies_seeded_before_steps_were_recorded_are_left_as_they_are():
    seed()
    SeedStep.objects.all().delete()  # a database seeded by the earlier, unrecorded seeding
    Estate.objects.filter(name="Guzape Hills").update(name="Guzape Hills Phase 2")
    counts = row_counts()

    run = seed_run()

    assert run.err == ""
    for demo in DEMO_COMPANIES:
        assert f"{demo.name}: seeded before; left as it is" in run.out
    assert not Estate.objects.filter(name="Guzape Hills").exists()
    counts["demo.SeedStep"] = SeedStep.objects.count()
    assert row_counts() == counts
