"""Each listed user action, admin decision and system event produces exactly one entry of
its action, with the right company, actor and details."""

from decimal import Decimal

import pytest

from apps.audit.models import ActorKind
from apps.companies import services as companies
from apps.marketers import services as marketers
from tests.accounts.factories import PASSWORD, UserFactory
from tests.audit.helpers import entries, only
from tests.billing.factories import issued_invoice
from tests.companies.factories import MembershipFactory
from tests.conftest import client_for
from tests.estates.sales import make_sale
from tests.marketers.affiliations import approved_affiliation, pending_affiliation

pytestmark = pytest.mark.django_db

LOGIN = "/api/auth/login/"


def test_login_logout_and_a_failed_login(api_client, company):
    user = UserFactory()

    MembershipFactory(company=company, user=user, role="company_admin")
    response = api_client.post(
        LOGIN,
        {"email": user.email, "password": PASSWORD},
        format="json",
        HTTP_USER_AGENT="Mozilla/5.0 test",
    )
    assert response.status_code == 200
    login = only("login")
    assert (login.actor_id, login.company_id, login.actor_kind) == (user.pk, company.pk, "user")
    assert login.user_agent == "Mozilla/5.0 test"
    assert login.cid == response["X-Request-ID"]

    tokens = response.json()
    client = client_for(user)
    assert client.post(
        "/api/auth/logout/", {"refresh": tokens["refresh"]}, format="json"
    ).status_code in (200, 204)
    logout = only("logout")
    assert logout.actor_id == user.pk

    wrong = "Not-The-Password-9"
    assert (
        api_client.post(LOGIN, {"email": user.email, "password": wrong}, format="json").status_code
        == 401
    )
    failed = only("login_failed")
    assert failed.additional_data == {"email": user.email}
    assert failed.actor_id is None and failed.actor_kind == ActorKind.ANONYMOUS
    assert failed.company_id is None
    assert wrong not in str(failed.additional_data) + failed.object_repr + str(failed.changes)


def test_an_invoice_pdf_download_is_one_download_entry(company, admin_user, commit):
    invoice = issued_invoice(company)
    with commit():
        response = client_for(admin_user).get(f"/api/billing/invoices/{invoice.pk}/download/")
    assert response.status_code == 200
    download = only("download")
    assert (download.company_id, download.actor_id) == (company.pk, admin_user.pk)
    assert download.object_pk == str(invoice.pk)
    assert download.additional_data == {"kind": "invoice_pdf"}


def test_a_settings_change_is_one_settings_change_entry(company, admin_user, commit):
    with commit():
        response = client_for(admin_user).patch(
            "/api/company/", {"name": "Renamed Estates Ltd"}, format="json"
        )
    assert response.status_code == 200, response.content
    change = only("settings_change")
    assert change.company_id == company.pk and change.actor_id == admin_user.pk
    assert change.additional_data == {"fields": ["name"]}


def test_affiliation_decisions_are_recorded_with_who_decided(company, admin_user, commit):
    with commit():
        approving = pending_affiliation(company)
        marketers.affiliation_approve(
            company_id=company.pk,
            affiliation_id=approving.pk,
            decided_by_id=admin_user.pk,
            commission_rate=Decimal("7.50"),
        )
    approve = only("approve")
    assert (approve.actor_id, approve.company_id) == (admin_user.pk, company.pk)
    assert approve.additional_data["commission_rate"] == "7.50"
    with commit():
        rejecting = pending_affiliation(company)
        marketers.affiliation_reject(
            company_id=company.pk,
            affiliation_id=rejecting.pk,
            decided_by_id=admin_user.pk,
            reason="Incomplete documents",
        )
    assert only("reject").additional_data["reason"] == "Incomplete documents"
    with commit():
        marketers.affiliation_suspend(
            company_id=company.pk,
            affiliation_id=approving.pk,
            decided_by_id=admin_user.pk,
            reason="Complaints",
        )
    assert only("suspend").object_pk == str(approving.pk)
    with commit():
        marketers.affiliation_reactivate(
            company_id=company.pk, affiliation_id=approving.pk, decided_by_id=admin_user.pk
        )
    assert only("reactivate").actor_id == admin_user.pk


def test_a_commission_approval_is_one_approve_entry(company, admin_user, commit):
    from apps.marketers.models import MarketerEarnedCommission

    commission = MarketerEarnedCommission.objects.get(
        purchase=make_sale(company, affiliation=approved_affiliation(company))
    )
    with commit():
        marketers.commission_approve(
            company_id=company.pk, commission_id=commission.pk, approved_by_id=admin_user.pk
        )
    approve = only("approve", content_type__model="marketerearnedcommission")
    assert approve.actor_id == admin_user.pk
    assert approve.additional_data["amount"] == f"{commission.amount:.2f}"


def test_subscription_changes_suspension_and_reactivation(commit):
    from tests.billing.factories import billed_company

    company = billed_company(tier="starter")
    with commit():
        companies.company_change_subscription(company_id=company.pk, tier="professional")
    change = only("subscription_change")
    assert change.changes == {"subscription_tier": ["starter", "professional"]}
    assert change.actor_kind == ActorKind.SYSTEM
    with commit():
        companies.company_change_subscription(
            company_id=company.pk, status="suspended", reason="unpaid"
        )
    assert only("suspend", content_type__model="company").additional_data == {"reason": "unpaid"}
    with commit():
        companies.company_change_subscription(company_id=company.pk, status="active")
    assert only("reactivate", content_type__model="company").company_id == company.pk
    assert len(entries("subscription_change")) == 3


def test_an_offline_payment_is_one_payment_entry(company, commit):
    from apps.payments.services import payment_record_offline

    invoice = issued_invoice(company, total=Decimal("1075.00"))
    with commit():
        payment_record_offline(
            company_id=company.pk,
            invoice_id=invoice.pk,
            amount=Decimal("1075.00"),
            method="bank_transfer",
            reference="TRF-0001",
        )
    payment = only("payment")
    assert payment.company_id == company.pk
    assert payment.additional_data["outcome"] == "succeeded"
    assert payment.additional_data["amount"] == "1075.00"
    assert "TRF-0001" not in str(payment.additional_data) + payment.object_repr


def test_an_invoice_run_records_one_invoice_generated_entry_per_invoice(commit):
    from apps.billing.services import monthly_invoices_generate
    from tests.billing.factories import OCTOBER, billed_company

    first, second = billed_company(), billed_company()
    with commit():
        monthly_invoices_generate(period=OCTOBER)
    generated = entries("invoice_generated")
    assert sorted(entry.company_id for entry in generated) == sorted([first.pk, second.pk])
    assert all(entry.additional_data["number"] == entry.object_repr for entry in generated)


def test_recording_a_batchs_invoices_again_writes_nothing_twice(commit):
    from apps.audit.receivers import invoices_generated_record
    from apps.billing.services import monthly_invoices_generate
    from tests.billing.factories import OCTOBER, billed_company

    billed_company()
    with commit():
        ids = monthly_invoices_generate(period=OCTOBER).invoice_ids
    assert len(entries("invoice_generated")) == len(ids) == 1
    invoices_generated_record(
        invoice_ids=ids, actor_id=None, actor_kind="system", request_id="retry-123456"
    )
    assert len(entries("invoice_generated")) == 1
