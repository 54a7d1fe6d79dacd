"""The billing API for company admins: invoices, payments and the subscription."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.billing.models import Credit, Invoice, InvoiceStatus
from apps.billing.periods import Period
from apps.companies.models import SubscriptionStatus
from apps.payments.services import payment_record_offline
from tests.billing.factories import issued_invoice
from tests.companies.factories import CompanyFactory, MembershipFactory, TrialCompanyFactory
from tests.conftest import client_for
from tests.estates.factories import PlotFactory

pytestmark = pytest.mark.django_db

INVOICES = "/api/billing/invoices/"


def pay(invoice, amount, reference):
    return payment_record_offline(
        company_id=invoice.company_id,
        invoice_id=invoice.pk,
        amount=Decimal(amount),
        method="bank_transfer",
        reference=reference,
    )


def test_invoices_newest_first_with_filters(admin_client, company):
    september = issued_invoice(company, period=Period.month(2026, 9))
    october = issued_invoice(company, period=Period.month(2026, 10))
    pay(september, str(september.total), "TRF-1")
    Invoice.objects.create(  # a draft is ours until issued
        company=company, period_start=date(2026, 8, 1), period_end=date(2026, 8, 31), tier="starter"
    )

    listed = admin_client.get(INVOICES).json()
    assert [row["id"] for row in listed["results"]] == [october.pk, september.pk]
    assert listed["results"][0]["number"] == october.number
    assert listed["results"][0]["balance"] == "80625.00"

    def ids(query):
        return [row["id"] for row in admin_client.get(f"{INVOICES}?{query}").json()["results"]]

    assert ids("status=paid") == [september.pk]
    assert ids("period=2026-10") == [october.pk]
    today = timezone.localdate().isoformat()
    assert ids(f"issued_after={today}&issued_before={today}") == [october.pk, september.pk]


@pytest.mark.parametrize(
    "query", ["period=2026-13", "period=october", "status=sent", "issued_after=yesterday"]
)
def test_bad_invoice_filters_are_400s(admin_client, query):
    response = admin_client.get(f"{INVOICES}?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


def test_an_invoice_with_its_lines_and_payments(admin_client, company):
    invoice = issued_invoice(company)
    pay(invoice, "1000.00", "TRF-9")

    body = admin_client.get(f"{INVOICES}{invoice.pk}/").json()

    assert body["number"] == invoice.number
    assert body["lines"] == [
        {
            "kind": "subscription",
            "description": "Professional plan",
            "quantity": 1,
            "unit_price": "75000.00",
            "amount": "75000.00",
        }
    ]
    assert [(p["amount"], p["reference"], p["method"]) for p in body["payments"]] == [
        ("1000.00", "TRF-9", "bank_transfer")
    ]
    assert (body["amount_paid"], body["balance"]) == ("1000.00", "79625.00")


def test_the_payment_history(admin_client, company):
    invoice = issued_invoice(company)
    first = pay(invoice, "1000.00", "TRF-1")
    second = pay(invoice, "2000.00", "TRF-2")
    rows = admin_client.get("/api/billing/payments/").json()["results"]
    assert {row["id"] for row in rows} == {first.payment_id, second.payment_id}
    assert {row["invoice_number"] for row in rows} == {invoice.number}


@pytest.mark.parametrize("role", ["marketer", "client"])
def test_only_admins_see_billing(company, role):
    member = client_for(MembershipFactory(company=company, role=role).user)
    invoice = issued_invoice(company)
    for path in (
        INVOICES,
        f"{INVOICES}{invoice.pk}/",
        "/api/billing/payments/",
        "/api/billing/subscription/",
    ):
        response = member.get(path)
        assert response.status_code == 403, path


def test_a_suspended_company_still_sees_what_it_owes(admin_client, company):
    company.subscription_status = SubscriptionStatus.SUSPENDED
    company.save()
    issued_invoice(company)
    assert admin_client.get(INVOICES).status_code == 200
    assert admin_client.get("/api/billing/subscription/").status_code == 200


def test_the_subscription_estimates_the_next_invoice(company, admin_client):
    PlotFactory.create_batch(3, estate__company=company)
    Credit.objects.create(company=company, amount=5000, remaining=5000, reason="goodwill")

    body = admin_client.get("/api/billing/subscription/").json()

    assert (body["tier"], body["status"]) == ("professional", "active")
    assert body["plan_name"] == "Professional"
    assert body["plots"] == 3
    assert body["included_api_calls"] == 150_000
    assert body["credits_available"] == "5000.00"
    estimate = body["estimate"]
    # ₦75,000 - ₦5,000 credit = ₦70,000; VAT ₦5,250; total ₦75,250
    assert (estimate["subtotal"], estimate["vat"], estimate["total"]) == (
        "70000.00",
        "5250.00",
        "75250.00",
    )
    assert estimate["credit_left"] == "0.00"
    assert [line["kind"] for line in estimate["lines"]] == ["subscription", "credit"]


def test_a_company_on_trial_sees_what_it_will_pay():
    company = TrialCompanyFactory()
    admin = client_for(MembershipFactory(company=company, role="company_admin").user)
    body = admin.get("/api/billing/subscription/").json()
    assert body["status"] == "trialing"
    assert body["trial_ends_at"] is not None
    assert body["estimate"]["total"] == "26875.00"  # Starter ₦25,000 + 7.5 %


def test_another_companys_invoice_is_404_and_its_payments_do_not_show(admin_client):
    foreign = issued_invoice(CompanyFactory(), due_date=timezone.localdate() + timedelta(days=7))
    pay(foreign, "1000.00", "TRF-X")
    assert admin_client.get(f"{INVOICES}{foreign.pk}/").status_code == 404
    assert admin_client.get(f"/api/billing/payments/?invoice={foreign.pk}").json()["results"] == []
    assert admin_client.get(INVOICES).json()["results"] == []
    assert Invoice.objects.get(pk=foreign.pk).status == InvoiceStatus.ISSUED
