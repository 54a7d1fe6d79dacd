"""Downloading an invoice as a PDF: a plain link (GET) or the SPA's POST."""

import io

import pytest
from pypdf import PdfReader

from apps.billing.models import Invoice
from tests.billing.factories import issued_invoice
from tests.companies.factories import CompanyFactory, MembershipFactory
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def download_path(invoice):
    return f"/api/billing/invoices/{invoice.pk}/download/"


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_admin_downloads_the_pdf_and_the_export_is_recorded(
    admin_client, admin_user, company, method, events, commit
):
    company.name = "Abuja Homes Ltd"
    company.save()
    invoice = issued_invoice(company)

    with commit():
        response = getattr(admin_client, method)(download_path(invoice), {}, format="json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{invoice.number}.pdf"'
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert invoice.number in text
    assert "₦80,625.00" in text
    assert "Abuja Homes Ltd" in text
    assert events.named("data_exported") == [
        {
            "company_id": company.pk,
            "user_id": admin_user.pk,
            "kind": "invoice_pdf",
            "object_id": invoice.pk,
        }
    ]


def test_a_client_asking_for_a_pdf_gets_one(admin_client, company):
    invoice = issued_invoice(company)
    response = admin_client.get(download_path(invoice), HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    "query, accept",
    [("", "application/json, text/plain, */*"), ("?format=json", "*/*"), ("", "application/json")],
)
def test_the_pdf_comes_even_when_json_was_preferred(admin_client, company, query, accept):
    invoice = issued_invoice(company)
    response = admin_client.get(download_path(invoice) + query, HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_pdf_is_never_stale(admin_client, company):
    invoice = issued_invoice(company)
    before = admin_client.get(download_path(invoice)).content
    Invoice.objects.filter(pk=invoice.pk).update(amount_paid="1000.00")
    after = admin_client.get(download_path(invoice)).content
    assert before != after
    text = PdfReader(io.BytesIO(after)).pages[0].extract_text()
    assert "₦79,625.00" in text  # the balance after the payment


def test_errors_on_a_download_are_json_even_when_a_pdf_was_asked_for(admin_client):
    foreign = issued_invoice(CompanyFactory())
    response = admin_client.get(download_path(foreign), HTTP_ACCEPT="application/pdf")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unknown_format_is_a_404_in_the_error_format(admin_client, company, method):
    invoice = issued_invoice(company)
    response = getattr(admin_client, method)(download_path(invoice) + "?format=AAA")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"


def test_drafts_cannot_be_downloaded(admin_client, company):
    draft = Invoice.objects.create(
        company=company, period_start="2026-10-01", period_end="2026-10-31", tier="starter"
    )
    assert admin_client.get(download_path(draft)).status_code == 404


@pytest.mark.parametrize("role", ["marketer", "client"])
def test_only_admins_download(company, role):
    invoice = issued_invoice(company)
    member = client_for(MembershipFactory(company=company, role=role).user)
    assert member.get(download_path(invoice)).status_code == 403


def test_a_post_with_a_body_is_refused(admin_client, company):
    invoice = issued_invoice(company)
    response = admin_client.post(download_path(invoice), {"format": "a3"}, format="json")
    assert response.status_code == 400
