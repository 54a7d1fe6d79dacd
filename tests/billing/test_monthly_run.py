"""The monthly run: one issued invoice per offline payer for the month that ended."""

from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.billing.models import Credit, CreditAllocation, Invoice, InvoiceStatus
from apps.billing.services import monthly_invoices_generate
from apps.billing.services import monthly_run as run_module
from apps.companies.models import Company, SubscriptionStatus, Tier
from tests.billing.factories import (
    OCTOBER,
    billed_company,
    change_subscription,
    hold_plots,
    record_calls,
)
from tests.companies.factories import TrialCompanyFactory

pytestmark = pytest.mark.django_db


def lines_of(invoice):
    return [(line.kind, line.quantity, line.amount) for line in invoice.lines.all()]


def test_every_offline_payer_gets_one_issued_invoice(events, commit):
    starter = billed_company(Tier.STARTER)
    professional = billed_company(Tier.PROFESSIONAL)

    with commit():
        summary = monthly_invoices_generate(period=OCTOBER)

    assert (summary.invoiced, summary.already_invoiced) == (2, 0)
    invoices = {invoice.company_id: invoice for invoice in Invoice.objects.all()}
    assert set(invoices) == {starter.pk, professional.pk}
    first, second = sorted(invoices.values(), key=lambda invoice: invoice.pk)
    assert (first.number, second.number) == ("INV-2026-000001", "INV-2026-000002")
    for invoice in invoices.values():
        assert invoice.status == InvoiceStatus.ISSUED
        assert (invoice.period_start, invoice.period_end) == (date(2026, 10, 1), date(2026, 10, 31))
        assert invoice.due_date == timezone.localdate(invoice.issued_at) + timedelta(days=7)
    assert invoices[starter.pk].total == Decimal("26875.00")  # ₦25,000 + 7.5 %
    assert invoices[professional.pk].total == Decimal("80625.00")
    assert lines_of(invoices[starter.pk]) == [("subscription", 1, Decimal("25000.00"))]
    assert sorted(event["company_id"] for event in events.named("invoice_issued")) == sorted(
        [starter.pk, professional.pk]
    )


def test_card_payers_trials_and_new_companies_are_not_invoiced_here():
    billed_company(stripe_subscription_id="sub_123")
    TrialCompanyFactory()
    # Created after the period: nothing to bill for it.
    billed_company(since=date(2026, 11, 3))
    # On trial the whole period, paying since November.
    trial = billed_company(Tier.STARTER, status=SubscriptionStatus.TRIALING)
    change_subscription(trial, on=date(2026, 11, 1), tier=Tier.STARTER, status="active")

    summary = monthly_invoices_generate(period=OCTOBER)

    assert summary.invoiced == 0
    assert not Invoice.objects.exists()
    assert summary.not_billable == 1  # the trial; the others are not even looked at


def test_overage_is_billed_on_plots_held_at_the_end_and_calls_in_the_period():
    company = billed_company(Tier.STARTER)
    hold_plots(company, 103)
    record_calls(company, per_day=400)  # 12,400 calls: 2,400 beyond the 10,000 included

    monthly_invoices_generate(period=OCTOBER)

    invoice = Invoice.objects.get()
    assert lines_of(invoice) == [
        ("subscription", 1, Decimal("25000.00")),
        ("overage_plots", 3, Decimal("900.00")),
        ("overage_api_calls", 3, Decimal("300.00")),
    ]
    assert invoice.overage == Decimal("1200.00")
    # ₦26,200.00 + VAT ₦1,965.00
    assert invoice.total == Decimal("28165.00")


def test_a_tier_change_inside_the_month_prorates_the_fee():
    company = billed_company(Tier.STARTER)
    change_subscription(company, on=date(2026, 10, 11), tier=Tier.PROFESSIONAL, status="active")
    Company.objects.filter(pk=company.pk).update(subscription_tier=Tier.PROFESSIONAL)

    monthly_invoices_generate(period=OCTOBER)

    invoice = Invoice.objects.get()
    # 10 days of Starter (1-10 Oct), 21 of Professional (11-31 Oct, the 11th counted on
    # the new plan): ₦8,064.52 + ₦50,806.45 = ₦58,870.97; VAT ₦4,415.32
    assert lines_of(invoice) == [
        ("subscription", 1, Decimal("8064.52")),
        ("subscription", 1, Decimal("50806.45")),
    ]
    assert (invoice.tier, invoice.total) == (Tier.PROFESSIONAL, Decimal("63286.29"))


def test_days_suspended_or_on_trial_are_not_charged():
    company = billed_company(Tier.STARTER, status=SubscriptionStatus.TRIALING)
    change_subscription(company, on=date(2026, 10, 22), tier=Tier.STARTER, status="active")

    monthly_invoices_generate(period=OCTOBER)

    # Paid from the 22nd: 10 of 31 days.
    assert lines_of(Invoice.objects.get()) == [("subscription", 1, Decimal("8064.52"))]


def test_credits_are_used_oldest_first_and_what_is_left_carries_forward():
    company = billed_company(Tier.STARTER)
    old = Credit.objects.create(company=company, amount=10000, remaining=10000, reason="old")
    new = Credit.objects.create(company=company, amount=20000, remaining=20000, reason="new")

    monthly_invoices_generate(period=OCTOBER)

    invoice = Invoice.objects.get()
    assert invoice.credits_applied == Decimal("25000.00")
    assert invoice.total == Decimal("0.00")
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.remaining, new.remaining) == (Decimal("0.00"), Decimal("5000.00"))
    assert CreditAllocation.objects.filter(invoice=invoice).count() == 2


def test_running_twice_creates_nothing_twice(events, commit):
    billed_company()
    monthly_invoices_generate(period=OCTOBER)
    with commit():
        again = monthly_invoices_generate(period=OCTOBER)

    assert (again.invoiced, again.already_invoiced) == (0, 1)
    assert Invoice.objects.count() == 1
    assert events.named("invoice_issued") == []


def test_a_run_cut_off_halfway_is_completed_by_the_next_one(monkeypatch):
    companies = [billed_company() for _ in range(5)]
    real_write = run_module.invoices_write
    calls = {"n": 0}

    def crash_on_the_second_batch(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return real_write(**kwargs)

    monkeypatch.setattr(run_module, "invoices_write", crash_on_the_second_batch)
    with pytest.raises(RuntimeError):
        monthly_invoices_generate(period=OCTOBER, batch_size=2)
    assert Invoice.objects.count() == 2
    monkeypatch.setattr(run_module, "invoices_write", real_write)

    resumed = monthly_invoices_generate(period=OCTOBER, batch_size=2)

    assert (resumed.invoiced, resumed.already_invoiced) == (3, 2)
    assert sorted(Invoice.objects.values_list("company_id", flat=True)) == sorted(
        company.pk for company in companies
    )
    # The numbers of the batch that failed were rolled back with it: no gap.
    assert sorted(Invoice.objects.values_list("number", flat=True)) == [
        f"INV-2026-{n:06d}" for n in range(1, 6)
    ]


def test_the_queries_grow_with_batches_not_companies():
    for _ in range(4):
        billed_company()

    def queries_for_a_run(batch_size):
        Invoice.objects.all().delete()
        with CaptureQueriesContext(connection) as captured:
            summary = monthly_invoices_generate(period=OCTOBER, batch_size=batch_size)
        return summary.batches, len(captured.captured_queries)

    two_batches_of_two = queries_for_a_run(2)
    for _ in range(4):
        billed_company()
    two_batches_of_four = queries_for_a_run(4)

    assert two_batches_of_two[0] == two_batches_of_four[0] == 2
    assert two_batches_of_four[1] == two_batches_of_two[1]


def test_a_dry_run_writes_nothing():
    billed_company()
    summary = monthly_invoices_generate(period=OCTOBER, dry_run=True)
    assert (summary.invoiced, summary.total_invoiced) == (1, Decimal("80625.00"))
    assert not Invoice.objects.exists()


def test_the_command_prints_a_summary_and_checks_its_arguments():
    company = billed_company()
    billed_company()
    out = StringIO()
    call_command(
        "generate_monthly_invoices", "--period", "2026-10", "--company", str(company.pk), stdout=out
    )
    assert "Invoiced 1 companies for October 2026 (₦80,625.00 with VAT)" in out.getvalue()
    assert Invoice.objects.get().company_id == company.pk
    for bad in (["--period", "2026-13"], ["--period", "2999-01"], ["--batch-size", "0"]):
        with pytest.raises(CommandError):
            call_command("generate_monthly_invoices", *bad, stdout=StringIO())


def test_an_invoice_credits_cover_entirely_is_issued_paid(events, commit):
    company = billed_company(Tier.STARTER)
    Credit.objects.create(company=company, amount=50000, remaining=50000, reason="goodwill")

    with commit():
        monthly_invoices_generate(period=OCTOBER)

    invoice = Invoice.objects.get()
    assert (invoice.status, invoice.total) == (InvoiceStatus.PAID, Decimal("0.00"))
    assert invoice.number and invoice.paid_at
    assert [e["invoice_id"] for e in events.named("invoice_paid")] == [invoice.pk]
