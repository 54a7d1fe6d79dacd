"""The billing app's error codes and errors."""

from enum import StrEnum

from apps.core.errors import ConflictError


class ErrorCode(StrEnum):
    INVOICE_NOT_PAYABLE = "invoice_not_payable"
    INVOICE_NOT_VOIDABLE = "invoice_not_voidable"
    INVOICE_NOT_ISSUABLE = "invoice_not_issuable"
    INVOICE_EXISTS = "invoice_exists"
    CARD_INVOICE = "card_invoice"


class InvoiceNotPayable(ConflictError):
    code = ErrorCode.INVOICE_NOT_PAYABLE
    default_message = "This invoice cannot take payments (it is a draft or void)."


class ChargedByCard(ConflictError):
    code = ErrorCode.CARD_INVOICE
    default_message = (
        "This invoice is charged by card: the gateway issues, collects and voids it, and "
        "billing mirrors what it does."
    )
