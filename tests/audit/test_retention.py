"""cleanup_audit_logs deletes what each company's tier no longer keeps, oldest first, in
batches; the chain check still passes afterwards, from the recorded anchor."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from apps.audit.chain import chain_verify
from apps.audit.models import AuditChainHead, AuditEntry
from apps.audit.services import audit_retention_apply
from tests.companies.factories import CompanyFactory
from tests.estates.factories import EstateFactory, PlotFactory

pytestmark = pytest.mark.django_db


def _company(tier, days_ago):
    with time_machine.travel(timezone.now() - timedelta(days=days_ago), tick=False):
        return CompanyFactory(subscription_tier=tier)


def _entries_at(company, when, count):
    with time_machine.travel(when, tick=False):
        estate = EstateFactory(company=company)
        for _ in range(count - 1):
            PlotFactory(company=company, estate=estate)


def test_only_entries_past_the_tiers_retention_are_deleted():
    now = timezone.now()
    starter, professional = _company("starter", 300), _company("professional", 300)
    for company in (starter, professional):
        _entries_at(company, now - timedelta(days=200), 4)
        _entries_at(company, now - timedelta(days=10), 3)
    kept_professional = AuditEntry.objects.filter(company_id=professional.pk).count()

    out = io.StringIO()
    call_command("cleanup_audit_logs", "--batch-size", "2", stdout=out)

    remaining = AuditEntry.objects.filter(company_id=starter.pk)
    cutoff = now - timedelta(days=90)
    assert remaining.count() == 3  # the recent estate and two plots
    assert not remaining.filter(timestamp__lt=cutoff).exists()
    # Professional keeps a year: nothing of its was due.
    assert AuditEntry.objects.filter(company_id=professional.pk).count() == kept_professional
    assert f"chain {starter.pk} (starter): deleted" in out.getvalue()
    for company in (starter, professional):
        assert chain_verify(chain=company.pk).ok
    head = AuditChainHead.objects.get(chain=starter.pk)
    assert head.anchor_seq == min(remaining.values_list("seq", flat=True)) - 1


def test_a_dry_run_counts_and_deletes_nothing():
    company = _company("starter", 300)
    _entries_at(company, timezone.now() - timedelta(days=100), 3)
    before = AuditEntry.objects.count()
    out = io.StringIO()
    call_command("cleanup_audit_logs", "--dry-run", stdout=out)
    assert AuditEntry.objects.count() == before
    assert f"chain {company.pk} (starter): would delete 4 entries" in out.getvalue()


def test_new_entries_after_a_cleanup_still_chain_and_a_second_run_is_a_no_op():
    company = _company("starter", 300)
    _entries_at(company, timezone.now() - timedelta(days=100), 3)
    audit_retention_apply()
    assert AuditEntry.objects.filter(company_id=company.pk).count() == 0
    PlotFactory(company=company)
    assert chain_verify(chain=company.pk).ok
    assert sum(result.deleted for result in audit_retention_apply()) == 0
    assert chain_verify(chain=company.pk).ok


def test_an_old_entry_after_a_recent_one_waits_so_the_chain_stays_whole():
    # Retention deletes from the chain's start only: an entry older than the cutoff that
    # follows a newer one (clock skew between writers) is kept until what precedes it goes.
    company = _company("starter", 300)
    _entries_at(company, timezone.now() - timedelta(days=100), 2)
    _entries_at(company, timezone.now() - timedelta(days=5), 2)
    audit_retention_apply()
    assert AuditEntry.objects.filter(company_id=company.pk).count() == 2
    assert chain_verify(chain=company.pk).ok


@pytest.mark.postgres
def test_retention_deletes_through_the_trigger_on_postgresql():
    company = _company("starter", 300)
    _entries_at(company, timezone.now() - timedelta(days=100), 3)
    results = audit_retention_apply()
    assert sum(result.deleted for result in results) >= 3
    assert chain_verify(chain=company.pk).ok
