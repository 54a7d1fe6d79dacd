"""`manage.py process_commissions`: approving eligible pending commissions in batches."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.estates.services import purchase_cancel
from apps.marketers import services
from apps.marketers.models import CommissionStatus, MarketerEarnedCommission
from tests.companies.factories import CompanyFactory
from tests.estates.sales import make_sale
from tests.marketers.affiliations import approved_affiliation

pytestmark = pytest.mark.django_db


def process(*args):
    out = StringIO()
    call_command("process_commissions", *args, stdout=out)
    return out.getvalue().strip()


def earn(company, affiliation, count=1, price=None, days_ago=8):
    """``count`` completed sales through ``affiliation``, their commissions ``days_ago`` old."""
    purchases = [make_sale(company, affiliation=affiliation, price=price) for _ in range(count)]
    commissions = MarketerEarnedCommission.objects.filter(purchase__in=purchases)
    commissions.update(created_at=timezone.now() - timedelta(days=days_ago))
    return list(commissions.order_by("pk"))


def statuses():
    return sorted(MarketerEarnedCommission.objects.values_list("status", flat=True))


def test_approves_every_eligible_commission_in_batches(company, events, commit):
    affiliation = approved_affiliation(company, rate="5.00")
    commissions = earn(company, affiliation, count=7)

    with commit():
        summary = process("--batch-size", "3", "--min-age-days", "7")

    # 7 x 5 % of ₦5,000,000
    assert summary == "Approved 7 commissions (₦1,750,000.00) in 3 batches; 0 still pending."
    assert statuses() == [CommissionStatus.APPROVED] * 7
    assert all(
        row.approved_at is not None and row.approved_by_id is None
        for row in MarketerEarnedCommission.objects.all()
    )
    assert events.named("commission_approved") == [
        {
            "commission_id": commission.pk,
            "company_id": company.pk,
            "affiliation_id": affiliation.pk,
            "amount": Decimal("250000.00"),
            "approved_by_id": None,
        }
        for commission in commissions
    ]


def test_the_naira_total_is_exact_to_the_kobo(company):
    affiliation = approved_affiliation(company, rate="2.50")
    earn(company, affiliation, price=Decimal("1234567.89"))  # ₦30,864.20
    earn(company, affiliation, price=Decimal("4000000.20"))  # ₦100,000.01

    summary = process("--min-age-days", "7")

    assert summary == "Approved 2 commissions (₦130,864.21) in 1 batches; 0 still pending."


def test_commissions_inside_the_hold_period_stay_pending(company, events, commit):
    affiliation = approved_affiliation(company)
    old = earn(company, affiliation, count=2, days_ago=8)
    recent = earn(company, affiliation, days_ago=6)

    with commit():
        summary = process("--min-age-days", "7")

    assert summary == "Approved 2 commissions (₦500,000.00) in 1 batches; 1 still pending."
    assert MarketerEarnedCommission.objects.get(pk=recent[0].pk).status == CommissionStatus.PENDING
    assert [event["commission_id"] for event in events.named("commission_approved")] == [
        commission.pk for commission in old
    ]


def test_the_hold_period_defaults_to_the_setting(company, settings):
    settings.COMMISSION_HOLD_DAYS = 10
    affiliation = approved_affiliation(company)
    old = earn(company, affiliation, days_ago=11)
    recent = earn(company, affiliation, days_ago=9)

    process()

    assert MarketerEarnedCommission.objects.get(pk=old[0].pk).status == CommissionStatus.APPROVED
    assert MarketerEarnedCommission.objects.get(pk=recent[0].pk).status == CommissionStatus.PENDING


def test_commissions_of_suspended_marketers_stay_pending(company, events, commit):
    active = approved_affiliation(company)
    suspended = approved_affiliation(company)
    earn(company, active)
    earn(company, suspended, count=2)
    services.affiliation_suspend(
        company_id=company.pk, affiliation_id=suspended.pk, decided_by_id=None
    )

    with commit():
        summary = process("--min-age-days", "7")

    assert summary == "Approved 1 commissions (₦250,000.00) in 1 batches; 2 still pending."
    assert {
        row.status for row in MarketerEarnedCommission.objects.filter(affiliation=suspended)
    } == {CommissionStatus.PENDING}
    assert [event["affiliation_id"] for event in events.named("commission_approved")] == [active.pk]


def test_cancelled_and_paid_commissions_are_left_alone(company):
    affiliation = approved_affiliation(company)
    cancelled, paid = earn(company, affiliation, count=2)
    purchase_cancel(company_id=company.pk, purchase_id=cancelled.purchase_id)
    services.commission_approve(company_id=company.pk, commission_id=paid.pk, approved_by_id=None)
    services.commission_mark_paid(
        company_id=company.pk, commission_id=paid.pk, payment_reference="GTB-TRF-0042"
    )

    summary = process("--min-age-days", "0")

    assert summary == "Approved 0 commissions (₦0.00) in 0 batches; 0 still pending."
    assert statuses() == [CommissionStatus.CANCELLED, CommissionStatus.PAID]


def test_running_it_twice_approves_nothing_the_second_time(company, events, commit):
    affiliation = approved_affiliation(company)
    earn(company, affiliation, count=3)
    process("--min-age-days", "7")
    approved_at = dict(MarketerEarnedCommission.objects.values_list("pk", "approved_at"))

    with commit():
        summary = process("--min-age-days", "7")

    assert summary == "Approved 0 commissions (₦0.00) in 0 batches; 0 still pending."
    assert dict(MarketerEarnedCommission.objects.values_list("pk", "approved_at")) == approved_at
    assert events.sent == []


def test_commissions_of_every_company_are_processed(company):
    other = CompanyFactory()
    earn(other, approved_affiliation(other))
    earn(company, approved_affiliation(company))

    assert process("--min-age-days", "7").startswith("Approved 2 commissions")


@pytest.mark.parametrize(
    "args", [("--batch-size", "0"), ("--batch-size", "-5"), ("--min-age-days", "-1")]
)
def test_bad_options_are_refused_and_approve_nothing(company, args):
    earn(company, approved_affiliation(company))
    err = StringIO()

    with pytest.raises(SystemExit) as exit_:
        call_command("process_commissions", *args, stdout=StringIO(), stderr=err)

    assert exit_.value.code == 2
    assert "--batch-size must be positive" in err.getvalue()
    assert statuses() == [CommissionStatus.PENDING]


def test_the_nightly_task_approves_what_is_due_and_is_on_beat(company, settings, commit):
    from apps.marketers import tasks  # the module: see tests/accounts/test_token_revocation.py

    affiliation = approved_affiliation(company, rate="5.00")
    due = earn(company, affiliation, count=2, days_ago=settings.COMMISSION_HOLD_DAYS + 1)
    fresh = earn(company, affiliation, count=1, days_ago=1)

    with commit():
        result = tasks.approve_due_commissions.delay().get()
        again = tasks.approve_due_commissions.delay().get()

    assert (result["approved"], result["still_pending"]) == (2, 1)
    assert result["total_approved_amount"] == "500000.00"
    assert again["approved"] == 0
    approved = MarketerEarnedCommission.objects.filter(status=CommissionStatus.APPROVED)
    assert set(approved.values_list("pk", flat=True)) == {c.pk for c in due}
    assert MarketerEarnedCommission.objects.get(pk=fresh[0].pk).status == CommissionStatus.PENDING
    assert tasks.approve_due_commissions.name == "marketers.approve_due_commissions"
    assert any(
        entry["task"] == "marketers.approve_due_commissions"
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
    )
