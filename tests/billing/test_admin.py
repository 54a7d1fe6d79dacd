"""The billing admin, through the real admin with Django's test client, signed in as
billing staff (the "Billing staff" group, granted as in production)."""

import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from apps.accounts.models import BILLING_STAFF_GROUP
from apps.accounts.services import user_grant_billing_staff
from apps.billing.models import Credit, Invoice, InvoiceStatus
from apps.billing.periods import Period
from apps.billing.services import credit_create, invoice_raise
from apps.payments.models import Payment
from apps.payments.services import payment_record_offline
from apps.usage.models import UsageRecord
from tests.accounts.factories import UserFactory
from tests.billing.factories import OCTOBER, billed_company, issued_invoice
from tests.companies.factories import MembershipFactory

pytestmark = pytest.mark.django_db

INVOICES = "/admin/billing/invoice/"
CREDITS = "/admin/billing/credit/"
LAGOS = ZoneInfo("Africa/Lagos")
AMOUNT_REFUSED = "An amount in naira above zero, with at most two decimals."


@pytest.fixture(autouse=True)
def _late_november(time_machine):
    # October has ended and invoices are numbered in 2026, whenever the suite runs.
    time_machine.move_to(datetime(2026, 11, 27, 10, tzinfo=LAGOS))


@pytest.fixture
def staff(db):
    user = UserFactory()
    user_grant_billing_staff(user_id=user.pk)
    return user


@pytest.fixture
def staff_client(staff):
    client = Client()
    client.force_login(staff)
    return client


def page(name, invoice=None):
    return reverse(f"admin:billing_invoice_{name}", args=[invoice.pk] if invoice else [])


def listed(response):
    assert response.status_code == 200
    return {invoice.pk for invoice in response.context["cl"].result_list}


def said(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def pay(invoice, amount, reference, **kwargs):
    return payment_record_offline(
        company_id=invoice.company_id,
        invoice_id=invoice.pk,
        amount=Decimal(amount),
        method=kwargs.pop("method", "bank_transfer"),
        reference=reference,
        **kwargs,
    )


def post_payment(client, invoice, amount, reference="GTB-000781", method="bank_transfer"):
    return client.post(
        page("record_payment", invoice),
        {"method": method, "amount": amount, "reference": reference, "paid_on": "2026-11-25"},
    )


def state(invoice):
    invoice.refresh_from_db()
    return invoice.status, invoice.amount_paid


# --- the group -------------------------------------------------------------------------


def test_the_billing_staff_group_has_exactly_what_the_billing_admin_needs():
    granted = set(
        Group.objects.get(name=BILLING_STAFF_GROUP)
        .permissions.filter(content_type__app_label__in=["billing", "payments"])
        .values_list("content_type__app_label", "codename")
    )
    assert granted == {
        ("billing", "view_invoice"),
        ("billing", "change_invoice"),
        ("billing", "add_invoice"),
        ("billing", "view_invoiceline"),
        ("billing", "view_credit"),
        ("billing", "add_credit"),
        ("billing", "change_credit"),
        ("payments", "view_payment"),
        ("payments", "view_paymentmethod"),
        ("payments", "view_webhookevent"),
        ("payments", "reprocess_webhookevent"),
    }


# --- the list --------------------------------------------------------------------------


@pytest.fixture
def four_invoices():
    lekki = billed_company(name="Lekki Gardens Realty")
    abuja = billed_company(name="Abuja Homes Ltd")
    october = issued_invoice(lekki)
    september = issued_invoice(abuja, period=Period.month(2026, 9))
    pay(september, "80625.00", "GTB-SEPT")
    draft = invoice_raise(company_id=abuja.pk, period=OCTOBER, issue=False)
    from_stripe = issued_invoice(lekki, period=Period.month(2026, 8))
    Invoice.objects.filter(pk=from_stripe.pk).update(
        source="stripe", external_id="in_1Q2w3E", reconciliation_difference="150.00"
    )
    return {
        "lekki": lekki,
        "abuja": abuja,
        "october": october,
        "september": september,
        "draft": draft,
        "stripe": from_stripe,
    }


def test_the_list_shows_money_in_naira(staff_client, four_invoices):
    html = staff_client.get(INVOICES).content.decode()

    assert "₦80,625.00" in html  # totals, and what September's payment paid
    assert "₦0.00" in html  # September's balance
    assert "80625.00" not in html  # never a bare decimal
    assert four_invoices["october"].number in html
    assert f"Draft {four_invoices['draft'].pk}" in html
    assert "October 2026" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"october", "september", "draft", "stripe"}),
        ({"status__exact": "paid"}, {"september"}),
        ({"status__exact": "draft"}, {"draft"}),
        ({"source__exact": "stripe"}, {"stripe"}),
        ({"reconciliation": "differs"}, {"stripe"}),
        ({"company": "lekki"}, {"october", "stripe"}),
        ({"company": "abuja", "status__exact": "draft"}, {"draft"}),
        ({"period": "2026-10"}, {"october", "draft"}),
        ({"period": "2026-09"}, {"september"}),
        ({"q": "Abuja"}, {"september", "draft"}),
        ({"q": "october"}, {"october"}),  # by number (the fixture's October invoice's)
    ],
)
def test_the_list_filters_and_searches(staff_client, four_invoices, query, expected):
    params = dict(query)
    if "company" in params:
        params["company"] = four_invoices[params["company"]].pk
    if params.get("q") == "october":
        params["q"] = four_invoices["october"].number

    response = staff_client.get(INVOICES, params)

    assert listed(response) == {four_invoices[name].pk for name in expected}


def test_a_card_invoice_that_differs_from_the_calculator_says_so(staff_client, four_invoices):
    page = staff_client.get(f"{INVOICES}{four_invoices['stripe'].pk}/change/").content.decode()
    assert "Stripe&#x27;s total is ₦150.00 away from the calculator&#x27;s" in page


def test_the_company_filter_names_the_company_and_offers_the_lookup(staff_client, four_invoices):
    html = staff_client.get(INVOICES, {"company": four_invoices["lekki"].pk}).content.decode()
    assert "Lekki Gardens Realty" in html
    assert "/admin/companies/company/?_to_field=id" in html


@pytest.mark.parametrize("query", [{"period": "October"}, {"company": "lekki"}])
def test_a_malformed_filter_is_refused_by_the_admin(staff_client, query):
    response = staff_client.get(INVOICES, query)
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


# --- one invoice -----------------------------------------------------------------------


def test_the_invoice_page_shows_lines_and_payments_and_nothing_to_edit(staff_client, staff):
    invoice = issued_invoice(billed_company())
    pay(invoice, "50000.00", "GTB-778812", recorded_by_id=staff.pk)

    html = staff_client.get(page("change", invoice)).content.decode()

    assert "Professional plan" in html  # the line
    assert "₦75,000.00" in html  # its amount, and the subtotal
    assert "₦5,625.00 (7.5 %)" in html
    assert "GTB-778812" in html and "₦50,000.00" in html
    assert "₦30,625.00" in html  # the balance
    for field in ["number", "status", "total", "amount_paid", "subtotal", "tax", "due_date"]:
        assert f'name="{field}"' not in html
    assert 'name="lines-0-amount"' not in html
    assert 'name="_save"' not in html
    assert page("record_payment", invoice) in html
    assert page("pdf", invoice) in html
    assert page("void", invoice) not in html  # it has taken a payment
    assert f"/admin/payments/payment/?invoice__id__exact={invoice.pk}" in html


def test_an_invoice_cannot_be_added_edited_or_deleted_in_place(staff_client):
    invoice = issued_invoice(billed_company())

    edit = staff_client.post(page("change", invoice), {"total": "1.00", "status": "paid"})

    assert edit.status_code == 403
    assert state(invoice) == (InvoiceStatus.ISSUED, Decimal("0.00"))
    assert staff_client.get(page("add")).status_code == 403
    assert staff_client.get(page("delete", invoice)).status_code == 403


def test_the_payments_list_filtered_by_invoice(staff_client):
    invoice = issued_invoice(billed_company())
    other = issued_invoice(billed_company())
    pay(invoice, "100.00", "GTB-THIS")
    pay(other, "100.00", "GTB-OTHER")

    html = staff_client.get(
        "/admin/payments/payment/", {"invoice__id__exact": invoice.pk}
    ).content.decode()

    assert "GTB-THIS" in html
    assert "GTB-OTHER" not in html


# --- issuing ---------------------------------------------------------------------------


def test_issuing_the_selected_drafts(staff_client, events, commit):
    draft = invoice_raise(company_id=billed_company().pk, period=OCTOBER, issue=False)
    issued = issued_invoice(billed_company())  # INV-2026-000001

    with commit():
        response = staff_client.post(
            INVOICES, {"action": "issue_drafts", "_selected_action": [draft.pk, issued.pk]}
        )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.number) == (InvoiceStatus.ISSUED, "INV-2026-000002")
    assert draft.due_date == date(2026, 12, 4)
    assert said(response) == [
        "Issued 1: INV-2026-000002.",
        "1 selected were not drafts to issue here (card invoices are issued by the gateway): "
        "left as they were.",
    ]
    assert [event["invoice_id"] for event in events.named("invoice_issued")] == [draft.pk]


# --- recording payments ----------------------------------------------------------------


def test_the_payment_form_offers_transfer_and_cash_for_the_balance(staff_client):
    invoice = issued_invoice(billed_company())
    pay(invoice, "625.00", "CASH-1", method="cash")

    html = staff_client.get(page("record_payment", invoice)).content.decode()

    assert 'value="bank_transfer"' in html and 'value="cash"' in html
    assert 'value="80000.00"' in html


def test_a_payment_in_full_marks_the_invoice_paid(staff_client, staff, events, commit):
    invoice = issued_invoice(billed_company())

    with commit():
        response = post_payment(staff_client, invoice, "80625.00")

    assert response.status_code == 302
    assert response["Location"] == page("change", invoice)
    assert state(invoice) == (InvoiceStatus.PAID, Decimal("80625.00"))
    assert timezone.localtime(invoice.paid_at).date() == date(2026, 11, 25)
    payment = Payment.objects.get()
    assert (payment.method, payment.reference, payment.amount, payment.recorded_by_id) == (
        "bank_transfer",
        "GTB-000781",
        Decimal("80625.00"),
        staff.pk,
    )
    assert said(response) == [
        f"Recorded ₦80,625.00 by bank transfer 'GTB-000781'. Invoice {invoice.number} is "
        "paid in full."
    ]
    assert [event["invoice_id"] for event in events.named("invoice_paid")] == [invoice.pk]


def test_a_part_payment_says_what_is_still_owed(staff_client):
    invoice = issued_invoice(billed_company())

    response = post_payment(staff_client, invoice, "30000", method="cash")

    assert state(invoice) == (InvoiceStatus.ISSUED, Decimal("30000.00"))
    assert said(response) == ["Recorded ₦30,000.00 by cash 'GTB-000781'. ₦50,625.00 is still owed."]


def test_a_repeated_reference_changes_nothing_and_says_so(staff_client, events, commit):
    invoice = issued_invoice(billed_company())
    staff_client.get(post_payment(staff_client, invoice, "30000.00")["Location"])  # shown

    with commit():
        again = post_payment(staff_client, invoice, "30000.00")

    assert again.status_code == 302
    assert said(again) == ["The bank transfer 'GTB-000781' was already recorded: nothing changed."]
    assert Payment.objects.count() == 1
    assert state(invoice) == (InvoiceStatus.ISSUED, Decimal("30000.00"))
    assert events.named("payment_succeeded") == []


def test_a_reference_used_for_another_payment_is_refused_on_the_form(staff_client):
    invoice = issued_invoice(billed_company())
    post_payment(staff_client, invoice, "30000.00")

    response = post_payment(staff_client, invoice, "45000.00")

    assert response.status_code == 200
    assert "Already used for another payment with this method." in response.content.decode()
    assert Payment.objects.count() == 1
    assert state(invoice) == (InvoiceStatus.ISSUED, Decimal("30000.00"))


@pytest.mark.parametrize("amount", ["0", "-1", "1.001"])
def test_a_bad_amount_is_refused_on_the_form_and_nothing_changes(
    staff_client, amount, events, commit
):
    invoice = issued_invoice(billed_company())

    with commit():
        response = post_payment(staff_client, invoice, amount)

    assert response.status_code == 200
    assert response.context["form"].errors == {"amount": [AMOUNT_REFUSED]}
    assert Payment.objects.count() == 0
    assert state(invoice) == (InvoiceStatus.ISSUED, Decimal("0.00"))
    assert events.sent == []


def test_a_payment_dated_in_the_future_is_refused(staff_client):
    invoice = issued_invoice(billed_company())
    response = staff_client.post(
        page("record_payment", invoice),
        {"method": "cash", "amount": "100", "reference": "R-1", "paid_on": "2026-11-28"},
    )
    assert response.context["form"].errors == {
        "paid_on": ["A payment cannot be dated in the future."]
    }
    assert Payment.objects.count() == 0


def test_a_void_invoice_takes_no_payment(staff_client):
    invoice = issued_invoice(billed_company(), status=InvoiceStatus.VOID)

    response = post_payment(staff_client, invoice, "100.00")

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        f"Invoice {invoice.number} is void: it takes no payments."
    ]
    assert Payment.objects.count() == 0


# --- voiding ---------------------------------------------------------------------------


def test_voiding_with_a_reason(staff_client, staff, events, commit):
    invoice = issued_invoice(billed_company())

    with commit():
        response = staff_client.post(page("void", invoice), {"reason": "Raised twice by mistake"})

    assert response.status_code == 302
    invoice.refresh_from_db()
    assert (invoice.status, invoice.void_reason) == (InvoiceStatus.VOID, "Raised twice by mistake")
    assert said(response) == [f"Invoice {invoice.number} is void."]
    [voided] = events.named("invoice_voided")
    assert (voided["invoice_id"], voided["voided_by_id"]) == (invoice.pk, staff.pk)


@pytest.mark.parametrize("reason", ["", "   "])
def test_voiding_without_a_reason_is_refused(staff_client, reason, events, commit):
    invoice = issued_invoice(billed_company())

    with commit():
        response = staff_client.post(page("void", invoice), {"reason": reason})

    assert response.status_code == 200
    assert response.context["form"].errors == {"reason": ["Say why the invoice is voided."]}
    assert state(invoice) == (InvoiceStatus.ISSUED, Decimal("0.00"))
    assert events.sent == []


def test_a_paid_invoice_cannot_be_voided(staff_client):
    invoice = issued_invoice(billed_company())
    pay(invoice, "80625.00", "GTB-FULL")

    response = staff_client.post(page("void", invoice), {"reason": "Customer asked"})

    assert response.status_code == 200
    assert "An invoice that has taken payments cannot be voided." in response.content.decode()
    invoice.refresh_from_db()
    assert (invoice.status, invoice.void_reason) == (InvoiceStatus.PAID, "")


# --- card invoices ----------------------------------------------------------------------


def card_invoice(company):
    invoice = issued_invoice(company)
    Invoice.objects.filter(pk=invoice.pk).update(source="stripe", external_id="in_1Q2w3E")
    invoice.refresh_from_db()
    return invoice


def test_a_card_invoice_offers_no_payment_or_voiding_by_hand(staff_client):
    invoice = card_invoice(billed_company())

    html = staff_client.get(page("change", invoice)).content.decode()

    assert page("pdf", invoice) in html
    assert page("record_payment", invoice) not in html
    assert page("void", invoice) not in html


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("record_payment", {"amount": "80625.00", "method": "cash", "reference": "R-1"}),
        ("void", {"reason": "Raised twice"}),
    ],
)
def test_a_card_invoices_pages_for_doing_it_by_hand_send_staff_back(staff_client, name, data):
    invoice = card_invoice(billed_company())

    visits = [
        staff_client.get(page(name, invoice)),
        staff_client.post(page(name, invoice), {**data, "paid_on": "2026-11-20"}),
    ]

    for response in visits:
        assert response.status_code == 302
        assert response["Location"] == page("change", invoice)
    # Not shown yet (the redirects were not followed): one message a visit.
    assert said(visits[-1]) == 2 * [
        f"Invoice {invoice.number} is charged by card: payments and voiding happen at "
        "the gateway, and billing mirrors them."
    ]
    assert state(invoice) == (InvoiceStatus.ISSUED, Decimal("0.00"))
    assert Payment.objects.count() == 0


# --- PDFs ------------------------------------------------------------------------------


def pdf_text(response):
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)


def test_downloading_an_invoice_pdf(staff_client):
    invoice = issued_invoice(billed_company(name="Abuja Homes Ltd"))

    response = staff_client.get(page("pdf", invoice))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{invoice.number}.pdf"'
    text = pdf_text(response)
    assert invoice.number in text
    assert "₦80,625.00" in text
    assert "Abuja Homes Ltd" in text


def test_a_draft_downloads_marked_as_a_draft(staff_client):
    draft = invoice_raise(company_id=billed_company().pk, period=OCTOBER, issue=False)

    response = staff_client.get(page("pdf", draft))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="DRAFT-{draft.pk}.pdf"'
    assert "DRAFT" in pdf_text(response)


# --- raising and previewing ------------------------------------------------------------


def test_the_list_links_to_raising_and_previewing(staff_client):
    html = staff_client.get(INVOICES).content.decode()
    assert page("raise") in html
    assert page("preview") in html


def test_raising_an_invoice_for_a_past_month(staff_client, events, commit):
    company = billed_company(name="Ikeja Homes")

    with commit():
        response = staff_client.post(
            page("raise"), {"company": company.pk, "period": "2026-10", "issue": "on"}
        )

    invoice = Invoice.objects.get(company=company)
    assert response.status_code == 302
    assert response["Location"] == page("change", invoice)
    assert (invoice.status, invoice.number, invoice.period_start, invoice.total) == (
        InvoiceStatus.ISSUED,
        "INV-2026-000001",
        date(2026, 10, 1),
        Decimal("80625.00"),
    )
    assert said(response) == [
        "Raised INV-2026-000001 for Ikeja Homes, October 2026: ₦80,625.00, issued."
    ]
    assert [event["invoice_id"] for event in events.named("invoice_issued")] == [invoice.pk]


def test_raising_a_draft(staff_client):
    company = billed_company()
    staff_client.post(page("raise"), {"company": company.pk, "period": "2026-10"})
    invoice = Invoice.objects.get(company=company)
    assert (invoice.status, invoice.number) == (InvoiceStatus.DRAFT, None)


@pytest.mark.parametrize(
    ("period", "error"),
    [
        ("2026-11", {"period": ["Invoices are for periods that have ended."]}),
        ("2026-10", {"__all__": ["The company already has an invoice for this period."]}),
        ("October", {"period": ["Enter a valid date."]}),
    ],
)
def test_raising_is_refused_on_the_form(staff_client, period, error):
    company = billed_company()
    issued_invoice(company)  # October's

    response = staff_client.post(page("raise"), {"company": company.pk, "period": period})

    assert response.status_code == 200
    assert response.context["form"].errors == error
    assert Invoice.objects.filter(company=company).count() == 1


def test_the_company_picker_finds_companies_by_name(staff_client):
    company = billed_company(name="Lekki Gardens Realty")
    billed_company(name="Abuja Homes Ltd")

    html = staff_client.get(page("raise")).content.decode()
    found = staff_client.get(
        "/admin/autocomplete/",
        {"app_label": "billing", "model_name": "invoice", "field_name": "company", "term": "Lekki"},
    )

    assert "/admin/autocomplete/" in html
    assert found.json()["results"] == [{"id": str(company.pk), "text": "Lekki Gardens Realty"}]


def test_previewing_the_next_invoice_of_a_company(staff_client, staff):
    company = billed_company(name="Ikoyi Estates")
    # 10,500 calls beyond Professional's 150,000: 11 blocks of ₦100.
    UsageRecord.objects.create(company=company, day=date(2026, 11, 2), api_calls=160_500)
    credit_create(
        company_id=company.pk, amount=Decimal("5000"), reason="Goodwill", created_by_id=staff.pk
    )

    response = staff_client.get(page("preview"), {"company": company.pk})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Ikoyi Estates: Professional plan, active" in html
    assert "November 2026" in html
    for amount in [
        "₦75,000.00",  # the fee
        "₦1,100.00",  # the API calls
        "\u2212₦5,000.00",  # the credit (a minus sign)
        "₦71,100.00",  # subtotal
        "₦5,332.50",  # VAT
        "₦76,432.50",  # total
    ]:
        assert amount in html


def test_the_preview_asks_for_a_company_first(staff_client):
    empty = staff_client.get(page("preview"))
    missing = staff_client.get(page("preview"), {"company": 999_999})

    assert empty.status_code == 200 and "overview" not in empty.context
    assert list(missing.context["form"].errors) == ["company"]


# --- credits ---------------------------------------------------------------------------


def test_giving_a_credit(staff_client, staff):
    company = billed_company()

    response = staff_client.post(
        f"{CREDITS}add/",
        {"company": company.pk, "amount": "5000.00", "reason": "Goodwill for the outage"},
    )

    assert response.status_code == 302
    credit = Credit.objects.get()
    assert (credit.company_id, credit.amount, credit.remaining, credit.created_by_id) == (
        company.pk,
        Decimal("5000.00"),
        Decimal("5000.00"),
        staff.pk,
    )
    assert "₦5,000.00" in staff_client.get(CREDITS).content.decode()


def test_a_credit_of_nothing_is_refused(staff_client):
    response = staff_client.post(
        f"{CREDITS}add/", {"company": billed_company().pk, "amount": "0", "reason": "Nothing"}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"amount": [AMOUNT_REFUSED]}
    assert Credit.objects.count() == 0


def test_an_unused_credit_is_corrected(staff_client):
    credit = credit_create(
        company_id=billed_company().pk, amount=Decimal("5000"), reason="Typo", created_by_id=None
    )

    response = staff_client.post(
        f"{CREDITS}{credit.pk}/change/", {"amount": "6000.00", "reason": "Goodwill, corrected"}
    )

    assert response.status_code == 302
    credit.refresh_from_db()
    assert (credit.amount, credit.remaining, credit.reason) == (
        Decimal("6000.00"),
        Decimal("6000.00"),
        "Goodwill, corrected",
    )


def test_a_used_credit_keeps_its_amount_but_its_reason_can_change(staff_client):
    company = billed_company()
    credit = credit_create(
        company_id=company.pk, amount=Decimal("5000"), reason="Goodwill", created_by_id=None
    )
    invoice = invoice_raise(company_id=company.pk, period=OCTOBER)  # uses it all
    change = f"{CREDITS}{credit.pk}/change/"

    page_html = staff_client.get(change).content.decode()
    refused = staff_client.post(change, {"amount": "7000.00", "reason": "More goodwill"})
    renamed = staff_client.post(change, {"amount": "5000.00", "reason": "Outage goodwill"})

    assert invoice.number in page_html  # where it was used
    assert refused.status_code == 200
    assert refused.context["adminform"].form.non_field_errors() == [
        "Part of this credit has been used; its amount stays."
    ]
    assert renamed.status_code == 302
    credit.refresh_from_db()
    assert (credit.amount, credit.remaining, credit.reason) == (
        Decimal("5000.00"),
        Decimal("0.00"),
        "Outage goodwill",
    )


def test_credits_are_never_deleted_nor_moved_to_another_company(staff_client):
    company = billed_company()
    credit = credit_create(
        company_id=company.pk, amount=Decimal("5000"), reason="Goodwill", created_by_id=None
    )

    assert staff_client.get(f"{CREDITS}{credit.pk}/delete/").status_code == 403
    staff_client.post(
        f"{CREDITS}{credit.pk}/change/",
        {"company": billed_company().pk, "amount": "5000.00", "reason": "Goodwill"},
    )
    credit.refresh_from_db()
    assert credit.company_id == company.pk


@pytest.mark.parametrize(("use", "expected"), [("unused", "fresh"), ("used", "spent")])
def test_credits_filter_by_use(staff_client, use, expected):
    company = billed_company()
    spent = credit_create(
        company_id=company.pk, amount=Decimal("5"), reason="Old", created_by_id=None
    )
    invoice_raise(company_id=company.pk, period=OCTOBER)
    fresh = credit_create(
        company_id=company.pk, amount=Decimal("9"), reason="New", created_by_id=None
    )

    response = staff_client.get(CREDITS, {"use": use})

    assert listed(response) == {{"fresh": fresh, "spent": spent}[expected].pk}


# --- who may ---------------------------------------------------------------------------


@pytest.fixture
def every_page():
    invoice = issued_invoice(billed_company())
    credit = credit_create(
        company_id=invoice.company_id, amount=Decimal("10"), reason="Goodwill", created_by_id=None
    )
    return [
        INVOICES,
        page("change", invoice),
        page("record_payment", invoice),
        page("void", invoice),
        page("pdf", invoice),
        page("raise"),
        page("preview"),
        CREDITS,
        f"{CREDITS}add/",
        f"{CREDITS}{credit.pk}/change/",
        "/admin/payments/payment/",
    ]


def test_a_company_user_reaches_none_of_it(every_page):
    client = Client()
    client.force_login(MembershipFactory(role="company_admin").user)
    for url in every_page:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url


def test_staff_outside_the_billing_group_are_refused(every_page):
    client = Client()
    client.force_login(UserFactory(is_staff=True))
    for url in every_page:
        assert client.get(url).status_code == 403, url
    invoice = Invoice.objects.get()
    assert client.post(page("void", invoice), {"reason": "No"}).status_code == 403
    assert client.post(page("raise"), {"period": "2026-10"}).status_code == 403
    assert state(invoice) == (InvoiceStatus.ISSUED, Decimal("0.00"))


def test_viewing_invoices_is_not_changing_them():
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_invoice"))
    client = Client()
    client.force_login(viewer)
    invoice = issued_invoice(billed_company())
    draft = invoice_raise(company_id=billed_company().pk, period=OCTOBER, issue=False)

    assert client.get(page("pdf", invoice)).status_code == 200
    assert client.get(page("preview")).status_code == 200
    assert client.get(page("record_payment", invoice)).status_code == 403
    assert client.post(page("void", invoice), {"reason": "No"}).status_code == 403
    assert client.get(page("raise")).status_code == 403
    assert (
        page("record_payment", invoice) not in client.get(page("change", invoice)).content.decode()
    )
    client.post(INVOICES, {"action": "issue_drafts", "_selected_action": [draft.pk]})
    assert state(draft) == (InvoiceStatus.DRAFT, Decimal("0.00"))
