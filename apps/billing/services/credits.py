"""Credits: money a company may set against its next invoices."""

from decimal import Decimal, InvalidOperation

from django.db import transaction

from apps.billing.models import Credit
from apps.core.errors import ConflictError, ValidationFailed
from apps.core.money import round_kobo


def _valid_amount(amount: Decimal) -> Decimal:
    try:
        valid = amount > 0 and amount == round_kobo(amount)
    except (InvalidOperation, TypeError, ValueError):
        valid = False
    if not valid:
        raise ValidationFailed(
            details={"amount": ["An amount in naira above zero, with at most two decimals."]}
        )
    return round_kobo(amount)


@transaction.atomic
def credit_create(
    *, company_id: int, amount: Decimal, reason: str, created_by_id: int | None
) -> Credit:
    """Give a company a credit (billing staff), with the reason it is given."""
    amount = _valid_amount(amount)
    if not reason.strip():
        raise ValidationFailed(details={"reason": ["Say why the credit is given."]})
    return Credit.objects.create(
        company_id=company_id,
        amount=amount,
        remaining=amount,
        reason=reason.strip(),
        created_by_id=created_by_id,
    )


@transaction.atomic
def credit_update(*, credit_id: int, amount: Decimal, reason: str) -> Credit:
    """Correct a credit nothing has used yet; a used one keeps its amount."""
    credit = Credit.objects.select_for_update().get(pk=credit_id)
    amount = _valid_amount(amount)
    if not reason.strip():
        raise ValidationFailed(details={"reason": ["Say why the credit is given."]})
    if amount != credit.amount:
        if credit.remaining != credit.amount:
            raise ConflictError("Part of this credit has been used; its amount stays.")
        # Unused, so all of the new amount is left (a used credit keeps its remaining).
        credit.amount = credit.remaining = amount
    credit.reason = reason.strip()
    credit.save(update_fields=["amount", "remaining", "reason", "updated_at"])
    return credit
