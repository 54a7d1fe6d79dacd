"""The trail is append-only and hash-chained per company: the ORM refuses changes, the
PostgreSQL trigger refuses them too, and the chain check finds tampering behind the
app's back. Concurrent writers never fork a chain."""

import io
import itertools

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from apps.audit.chain import chain_verify
from apps.audit.models import AppendOnly, AuditChainHead, AuditEntry
from tests.audit.helpers import entries
from tests.companies.factories import CompanyFactory
from tests.concurrency import run_together
from tests.estates.factories import EstateFactory, PlotFactory

pytestmark = pytest.mark.django_db


def test_entries_chain_per_company_from_one(company):
    other = CompanyFactory()
    for _ in range(3):
        PlotFactory(company=company)
    PlotFactory(company=other)
    mine = entries(company_id=company.pk)
    assert [entry.seq for entry in sorted(mine, key=lambda e: e.seq)] == list(
        range(1, len(mine) + 1)
    )
    ordered = sorted(mine, key=lambda entry: entry.seq)
    assert ordered[0].prev_hash == ""
    assert all(b.prev_hash == a.entry_hash for a, b in itertools.pairwise(ordered))
    assert chain_verify(chain=company.pk).ok
    assert chain_verify(chain=other.pk).ok


def test_the_orm_refuses_to_change_or_delete_an_entry(company):
    PlotFactory(company=company)
    entry = entries(company_id=company.pk)[0]
    entry.object_repr = "rewritten"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(object_repr="rewritten")
    with pytest.raises(AppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).object_repr != "rewritten"


def test_the_chain_check_finds_an_entry_altered_behind_the_apps_back(company):
    for _ in range(3):
        PlotFactory(company=company)
    victim = sorted(entries(company_id=company.pk), key=lambda e: e.seq)[1]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
        cursor.execute(
            "UPDATE audit_auditentry SET object_repr = %s WHERE id = %s", ["forged", victim.pk]
        )
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER USER")
    report = chain_verify(chain=company.pk)
    assert not report.ok
    assert (report.broken_seq, report.broken_entry_id) == (victim.seq, victim.pk)
    assert report.problem == "its content does not match its hash"
    with pytest.raises(CommandError):
        call_command("verify_audit_chain", "--company", str(company.pk), stdout=io.StringIO())


def test_the_chain_check_finds_a_deleted_entry_and_a_truncated_end(company):
    for _ in range(4):
        PlotFactory(company=company)
    ordered = sorted(entries(company_id=company.pk), key=lambda e: e.seq)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [ordered[1].pk])
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [ordered[-1].pk])
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER USER")
    report = chain_verify(chain=company.pk)
    assert not report.ok and report.broken_seq == ordered[1].seq
    assert report.problem == f"entry {ordered[1].seq} is missing"


def test_the_command_reports_every_chain_ok(company, capsys):
    PlotFactory(company=company)
    call_command("verify_audit_chain")
    assert f"company {company.pk}: OK" in capsys.readouterr().out


@pytest.mark.postgres
def test_the_trigger_refuses_update_and_delete_on_postgresql(company):
    from django.db import InternalError, ProgrammingError

    PlotFactory(company=company)
    entry = entries(company_id=company.pk)[0]
    for statement in (
        "UPDATE audit_auditentry SET object_repr = 'x' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ):
        with (
            pytest.raises((InternalError, ProgrammingError)) as refused,
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [entry.pk])
        assert "Cannot update or delete" in str(refused.value)
    assert AuditEntry.objects.get(pk=entry.pk).object_repr == entry.object_repr


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_a_chain_on_postgresql(plan_catalogue):
    company = CompanyFactory()
    estate = EstateFactory(company=company)
    writers = 8

    def write(index: int) -> None:
        for number in range(5):
            PlotFactory(company=company, estate=estate, plot_number=f"T{index}-{number}")

    outcomes = run_together(*(lambda i=i: write(i) for i in range(writers)))
    assert all(outcome.ok for outcome in outcomes), [o.error for o in outcomes if not o.ok]
    report = chain_verify(chain=company.pk)
    assert report.ok, report
    created = AuditEntry.objects.filter(company_id=company.pk).count()
    # The company and the estate, then 40 plots.
    assert report.checked == created == 2 + writers * 5
    assert AuditChainHead.objects.get(chain=company.pk).seq == created
