"""Invoice numbers: INV-<year>-<6 digits>, gap-free per year, given when an invoice is
issued (drafts have none; a voided invoice keeps its number).

Numbers come from the year's ``InvoiceSequence`` row, locked in the transaction that
issues the invoices: concurrent issues queue on the lock, and a rollback returns the
numbers with the invoices, so no number is given twice or skipped.
"""

from django.db import transaction

from apps.billing.models import InvoiceSequence


def format_number(year: int, sequence: int) -> str:
    return f"INV-{year}-{sequence:06d}"


def lock_sequence(year: int) -> InvoiceSequence:
    """The year's sequence row, locked until the caller's transaction ends."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("invoice numbers are taken inside the issuing transaction")
    # The year's first invoice creates its row; a concurrent creator is ignored.
    InvoiceSequence.objects.bulk_create([InvoiceSequence(year=year)], ignore_conflicts=True)
    return InvoiceSequence.objects.select_for_update().get(year=year)


def take_numbers(sequence: InvoiceSequence, count: int) -> list[str]:
    """The next ``count`` numbers of a sequence locked with ``lock_sequence``."""
    first = sequence.last_number + 1
    sequence.last_number += count
    sequence.save(update_fields=["last_number", "updated_at"])
    return [format_number(sequence.year, number) for number in range(first, first + count)]
