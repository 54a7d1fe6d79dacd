"""Forms of the billing admin's pages. They read what billing staff type; the rules are
the services', and a service's refusal is put on the form (``add_service_error``)."""

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.sites import AdminSite
from django.contrib.admin.widgets import AdminDateWidget, AutocompleteSelect
from django.utils import timezone

from apps.billing.models import Credit, Invoice
from apps.billing.periods import Period
from apps.billing.services import credit_create, credit_update
from apps.core.errors import ApplicationError, ValidationFailed
from apps.core.money import KOBO, MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS
from apps.payments.selectors import offline_payment_methods

# The largest amount a money column holds (₦999,999,999,999.99).
MAX_AMOUNT = Decimal(10) ** (MONEY_MAX_DIGITS - MONEY_DECIMAL_PLACES) - KOBO


def add_service_error(form: forms.BaseForm, error: ApplicationError) -> None:
    """Show a service's refusal on the form: on the fields it names, else above them."""
    details = error.details if isinstance(error.details, dict) else {}
    on_fields = {name: messages for name, messages in details.items() if name in form.fields}
    for name, messages in on_fields.items():
        form.add_error(name, messages)
    if on_fields:
        return
    if isinstance(error, ValidationFailed) and details:
        # Fields the form does not have: name them, or the message would say nothing.
        form.add_error(
            None,
            [f"{name}: {message}" for name, messages in details.items() for message in messages],
        )
    else:
        form.add_error(None, error.message)


def company_field(admin_site: AdminSite, **kwargs: Any) -> forms.ModelChoiceField:
    """A company, looked up by name as the admin's autocomplete does (the companies
    admin's search and its view permission decide what is offered)."""
    relation = Invoice._meta.get_field("company")
    return forms.ModelChoiceField(
        queryset=relation.related_model._default_manager.all(),
        widget=AutocompleteSelect(relation, admin_site),
        **kwargs,
    )


class PaymentForm(forms.Form):
    method = forms.ChoiceField(choices=offline_payment_methods, widget=forms.RadioSelect)
    # Any number is taken here: zero, negative or sub-kobo amounts are the service's to
    # refuse, in its words.
    amount = forms.DecimalField(label="Amount (₦)", max_value=MAX_AMOUNT)
    reference = forms.CharField(
        max_length=128, help_text="The bank's transfer reference or the cash receipt's number."
    )
    paid_on = forms.DateField(label="Paid on", widget=AdminDateWidget, initial=timezone.localdate)

    def clean_paid_on(self) -> date:
        paid_on = self.cleaned_data["paid_on"]
        if paid_on > timezone.localdate():
            raise forms.ValidationError("A payment cannot be dated in the future.")
        return paid_on


class VoidForm(forms.Form):
    # Not required here: a blank reason is refused by invoice_void, in its words.
    reason = forms.CharField(
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Kept on the invoice and sent with the invoice_voided event.",
    )


class MonthField(forms.DateField):
    """A calendar month typed as YYYY-MM, cleaned to its Period."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m"]

    def to_python(self, value: Any) -> Period | None:  # type: ignore[override]
        day = super().to_python(value)
        return Period.month_of(day) if day else None


class RaiseForm(forms.Form):
    # ``period`` is the name invoice_raise gives its errors about the month.
    period = MonthField(label="Month", help_text="A month that has ended, as YYYY-MM.")
    issue = forms.BooleanField(
        required=False,
        initial=True,
        label="Issue it now",
        help_text=(
            f"Numbered and due in {settings.BILLING_NET_DAYS} days. Untick to keep it as a "
            "draft, to issue later from the list."
        ),
    )

    def __init__(self, *args: Any, admin_site: AdminSite, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {"company": company_field(admin_site), **self.fields}


class PreviewForm(forms.Form):
    def __init__(self, *args: Any, admin_site: AdminSite, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"] = company_field(admin_site)


class CreditForm(forms.ModelForm):
    """A credit given (credit_create) or corrected (credit_update) through the services.

    The service stands in for the model's validation: once the fields are read it writes
    the credit or says why not, so its refusal (a used credit's new amount) shows on the
    form, and the admin's save writes nothing more.
    """

    created_by_id: int | None = None  # the user giving the credit, set by the admin

    class Meta:
        model = Credit
        fields = ["company", "amount", "reason"]

    def _post_clean(self) -> None:
        if self.errors:
            return
        data = self.cleaned_data
        try:
            if self.instance.pk is None:
                credit = credit_create(
                    company_id=data["company"].pk,
                    amount=data["amount"],
                    reason=data["reason"],
                    created_by_id=self.created_by_id,
                )
            else:
                credit = credit_update(
                    credit_id=self.instance.pk, amount=data["amount"], reason=data["reason"]
                )
        except ApplicationError as error:
            add_service_error(self, error)
        else:
            self.instance = credit
