"""The invoice admin's own pages: record a payment, void, download the PDF (one invoice),
raise an invoice and preview a company's next one (from the list).

Every change goes through the billing and payments services; a refusal is shown on the
page's form. Who may do what (each page checks it, whatever links are shown):

- billing.change_invoice: record a payment, void (and the "issue" action);
- billing.add_invoice: raise an invoice;
- billing.view_invoice: download the PDF, preview the next invoice.
"""

from datetime import date, datetime, time
from typing import Any

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from apps.billing.admin.display import naira, period_label, preview_context
from apps.billing.admin.forms import (
    PaymentForm,
    PreviewForm,
    RaiseForm,
    VoidForm,
    add_service_error,
)
from apps.billing.models import Invoice, InvoiceSource, InvoiceStatus
from apps.billing.selectors import subscription_overview
from apps.billing.services import invoice_raise, invoice_void
from apps.core.errors import ApplicationError
from apps.payments.selectors import payment_method_labels
from apps.payments.services import PaymentRecorded, payment_record_offline

PAGE_TEMPLATE = "admin/billing/invoice/page.html"
PREVIEW_TEMPLATE = "admin/billing/invoice/preview.html"


class InvoicePagesMixin:
    """Pages of an invoice ModelAdmin; ``admin_site``, ``opts``, ``media``, ``get_object``
    and ``log_change`` are the ModelAdmin's."""

    admin_site: Any
    opts: Any
    media: Any
    get_object: Any
    log_change: Any

    # --- who may -----------------------------------------------------------------------

    def _has(self, request: HttpRequest, action: str) -> bool:
        codename = get_permission_codename(action, self.opts)
        return request.user.has_perm(f"{self.opts.app_label}.{codename}")

    def has_manage_permission(self, request: HttpRequest) -> bool:
        """Issue, record payments, void: what billing.change_invoice allows here."""
        return self._has(request, "change")

    def has_raise_permission(self, request: HttpRequest) -> bool:
        return self._has(request, "add")

    def _require(self, allowed: bool) -> None:
        if not allowed:
            raise PermissionDenied

    # --- urls --------------------------------------------------------------------------

    def _url_name(self, page: str) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_{page}"

    def page_url(self, page: str, invoice: Invoice | None = None) -> str:
        args = [invoice.pk] if invoice is not None else []
        return reverse(f"admin:{self._url_name(page)}", args=args, current_app=self.admin_site.name)

    def change_url(self, invoice: Invoice) -> str:
        return self.page_url("change", invoice)

    def page_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        return [
            path("raise/", wrap(self.raise_view), name=self._url_name("raise")),
            path("preview/", wrap(self.preview_view), name=self._url_name("preview")),
            path(
                "<path:object_id>/record-payment/",
                wrap(self.record_payment_view),
                name=self._url_name("record_payment"),
            ),
            path("<path:object_id>/void/", wrap(self.void_view), name=self._url_name("void")),
            path("<path:object_id>/pdf/", wrap(self.pdf_view), name=self._url_name("pdf")),
        ]

    # --- rendering ---------------------------------------------------------------------

    def _invoice(self, request: HttpRequest, object_id: str) -> Invoice:
        invoice = self.get_object(request, unquote(object_id))
        if invoice is None:
            raise Http404(f"No invoice {object_id}.")
        return invoice

    def _by_hand(self, request: HttpRequest, invoice: Invoice) -> HttpResponse | None:
        """A card invoice's payments and voiding happen at the gateway: its pages for
        doing them by hand send staff back to the invoice, saying so."""
        if invoice.source == InvoiceSource.INTERNAL:
            return None
        messages.error(
            request,
            f"Invoice {invoice} is charged by card: payments and voiding happen at the "
            "gateway, and billing mirrors them.",
        )
        return HttpResponseRedirect(self.change_url(invoice))

    def _render(
        self,
        request: HttpRequest,
        *,
        title: str,
        form: Form,
        submit: str,
        invoice: Invoice | None = None,
        template: str = PAGE_TEMPLATE,
        **context: Any,
    ) -> TemplateResponse:
        summary = None
        if invoice is not None:
            summary = [
                ("Company", invoice.company),
                ("Period", period_label(invoice.period_start, invoice.period_end)),
                ("Status", invoice.get_status_display()),
                ("Total", naira(invoice.total)),
                ("Paid", naira(invoice.amount_paid)),
                ("Balance", naira(invoice.balance)),
            ]
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": title,
                "form": form,
                "submit_label": submit,
                "invoice": invoice,
                "summary": summary,
                "media": self.media + form.media,
                **context,
            },
        )

    # --- one invoice -------------------------------------------------------------------

    def record_payment_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        self._require(self.has_manage_permission(request))
        invoice = self._invoice(request, object_id)
        if refused := self._by_hand(request, invoice):
            return refused
        form = PaymentForm(
            request.POST if request.method == "POST" else None,
            initial={"amount": invoice.balance},
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                recorded = payment_record_offline(
                    company_id=invoice.company_id,
                    invoice_id=invoice.pk,
                    amount=data["amount"],
                    method=data["method"],
                    reference=data["reference"],
                    paid_at=paid_at(data["paid_on"]),
                    recorded_by_id=request.user.pk,
                )
            except ApplicationError as error:
                add_service_error(form, error)
            else:
                self._report_payment(request, invoice, recorded, data)
                return HttpResponseRedirect(self.change_url(invoice))
        return self._render(
            request,
            title=f"Record a payment of {invoice}",
            form=form,
            submit="Record payment",
            invoice=invoice,
        )

    def _report_payment(
        self,
        request: HttpRequest,
        invoice: Invoice,
        recorded: PaymentRecorded,
        data: dict[str, Any],
    ) -> None:
        method = payment_method_labels()[data["method"]].lower()
        what = f"{method} {data['reference']!r}"
        if not recorded.created:
            messages.warning(request, f"The {what} was already recorded: nothing changed.")
            return
        invoice.refresh_from_db()
        text = f"Recorded {naira(data['amount'])} by {what}."
        if recorded.invoice_paid:
            text += f" Invoice {invoice} is paid in full."
        else:
            text += f" {naira(invoice.balance)} is still owed."
        if recorded.overpayment:
            text += f" {naira(recorded.overpayment)} beyond the balance is kept as a credit."
        self.log_change(request, invoice, f"Recorded a payment: {naira(data['amount'])}, {what}.")
        messages.success(request, text)

    def void_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        self._require(self.has_manage_permission(request))
        invoice = self._invoice(request, object_id)
        if refused := self._by_hand(request, invoice):
            return refused
        form = VoidForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            try:
                invoice_void(
                    invoice_id=invoice.pk,
                    reason=form.cleaned_data["reason"],
                    voided_by_id=request.user.pk,
                )
            except ApplicationError as error:
                add_service_error(form, error)
            else:
                self.log_change(request, invoice, f"Voided: {form.cleaned_data['reason']}")
                messages.success(request, f"Invoice {invoice} is void.")
                return HttpResponseRedirect(self.change_url(invoice))
        return self._render(
            request, title=f"Void {invoice}", form=form, submit="Void the invoice", invoice=invoice
        )

    def pdf_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        self._require(self._has(request, "view"))
        invoice = self._invoice(request, object_id)
        # Imported here so reportlab loads only in processes that make PDFs.
        from apps.billing.documents import invoice_pdf, pdf_filename

        response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{pdf_filename(invoice)}"'
        return response

    # --- from the list -----------------------------------------------------------------

    def raise_view(self, request: HttpRequest) -> HttpResponse:
        self._require(self.has_raise_permission(request))
        form = RaiseForm(
            request.POST if request.method == "POST" else None, admin_site=self.admin_site
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                invoice = invoice_raise(
                    company_id=data["company"].pk, period=data["period"], issue=data["issue"]
                )
            except ApplicationError as error:
                add_service_error(form, error)
            else:
                state = "issued" if invoice.status == InvoiceStatus.ISSUED else "kept as a draft"
                self.log_change(request, invoice, f"Raised by hand, {state}.")
                messages.success(
                    request,
                    f"Raised {invoice} for {data['company']}, "
                    f"{period_label(invoice.period_start, invoice.period_end)}: "
                    f"{naira(invoice.total)}, {state}.",
                )
                return HttpResponseRedirect(self.change_url(invoice))
        return self._render(request, title="Raise an invoice", form=form, submit="Raise")

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        self._require(self._has(request, "view"))
        form = PreviewForm(request.GET or None, admin_site=self.admin_site)
        preview: dict[str, Any] = {}
        if form.is_valid():
            company = form.cleaned_data["company"]
            preview = {
                "company": company,
                **preview_context(subscription_overview(company_id=company.pk)),
            }
        return self._render(
            request,
            title="Preview the next invoice",
            form=form,
            submit="Preview",
            template=PREVIEW_TEMPLATE,
            form_method="get",
            **preview,
        )


def paid_at(paid_on: date) -> datetime:
    """Midday (Lagos time) of the day paid, so the day reads the same in UTC too, or now
    for a payment made today before midday."""
    return min(timezone.make_aware(datetime.combine(paid_on, time(12))), timezone.now())
