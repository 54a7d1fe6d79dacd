"""Invoices in the admin: listed, filtered and read, never edited in place. Drafts come
from the monthly run or "Raise an invoice"; everything after goes through the services
(the "issue" action here, the pages in invoice_pages)."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from apps.billing.admin.display import naira, payments_table, period_label, vat_percent
from apps.billing.admin.filters import CompanyFilter, PeriodFilter, ReconciliationFilter
from apps.billing.admin.invoice_pages import InvoicePagesMixin
from apps.billing.models import OPEN_STATUSES, Invoice, InvoiceLine, InvoiceSource, InvoiceStatus
from apps.billing.services import invoice_issue
from apps.core.errors import ApplicationError
from apps.payments.selectors import payments_for_invoices


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    fields = readonly_fields = (
        "kind",
        "description",
        "quantity",
        "unit_price_naira",
        "amount_naira",
    )
    extra = 0
    can_delete = False
    show_change_link = False

    @admin.display(description="unit price")
    def unit_price_naira(self, line: InvoiceLine) -> str:
        return naira(line.unit_price)

    @admin.display(description="amount")
    def amount_naira(self, line: InvoiceLine) -> str:
        return naira(line.amount)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Invoice)
class InvoiceAdmin(InvoicePagesMixin, admin.ModelAdmin):
    list_display = (
        "number_or_draft",
        "company",
        "period",
        "status",
        "source",
        "total_naira",
        "paid_naira",
        "balance_naira",
        "due_date",
    )
    list_filter = ("status", "source", ReconciliationFilter, CompanyFilter, PeriodFilter)
    search_fields = ("number", "company__name")
    date_hierarchy = "issued_at"
    list_select_related = ("company",)
    actions = ["issue_drafts"]
    inlines = [InvoiceLineInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "number",
                    "company",
                    "status",
                    "source",
                    "external_id",
                    "tier",
                    "period",
                    "currency",
                ]
            },
        ),
        (
            "Amounts",
            {
                "fields": [
                    "overage_naira",
                    "credits_applied_naira",
                    "subtotal_naira",
                    "vat_naira",
                    "total_naira",
                    "paid_naira",
                    "balance_naira",
                    "reconciliation",
                ]
            },
        ),
        ("Dates", {"fields": ["issued_at", "due_date", "paid_at", "voided_at", "void_reason"]}),
        ("Payments", {"fields": ["payments"]}),
    ]
    readonly_fields = [name for _, options in fieldsets for name in options["fields"]]

    # --- nothing is edited in place ----------------------------------------------------

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # "Raise an invoice" (billing.add_invoice) goes through invoice_raise

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # billing.change_invoice opens the actions (has_manage_permission), never the form:
        # the change page only shows the invoice.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    # --- columns and fields ------------------------------------------------------------

    @admin.display(description="number", ordering="number")
    def number_or_draft(self, invoice: Invoice) -> str:
        return str(invoice)

    @admin.display(description="period", ordering="period_start")
    def period(self, invoice: Invoice) -> str:
        return period_label(invoice.period_start, invoice.period_end)

    @admin.display(description="total", ordering="total")
    def total_naira(self, invoice: Invoice) -> str:
        return naira(invoice.total)

    @admin.display(description="amount paid", ordering="amount_paid")
    def paid_naira(self, invoice: Invoice) -> str:
        return naira(invoice.amount_paid)

    @admin.display(description="balance", ordering=F("total") - F("amount_paid"))
    def balance_naira(self, invoice: Invoice) -> str:
        return naira(invoice.balance)

    @admin.display(description="reconciliation")
    def reconciliation(self, invoice: Invoice) -> str:
        if invoice.reconciliation_difference is None:
            return "Matches the calculator" if invoice.source == InvoiceSource.STRIPE else "—"
        return (
            f"Stripe's total is {naira(invoice.reconciliation_difference)} away from the "
            "calculator's: check the invoice at Stripe"
        )

    @admin.display(description="overage")
    def overage_naira(self, invoice: Invoice) -> str:
        return naira(invoice.overage)

    @admin.display(description="credits applied")
    def credits_applied_naira(self, invoice: Invoice) -> str:
        return naira(invoice.credits_applied)

    @admin.display(description="subtotal")
    def subtotal_naira(self, invoice: Invoice) -> str:
        return naira(invoice.subtotal)

    @admin.display(description="VAT")
    def vat_naira(self, invoice: Invoice) -> str:
        return f"{naira(invoice.tax)} ({vat_percent(invoice.vat_rate)})"

    @admin.display(description="payments")
    def payments(self, invoice: Invoice) -> SafeString:
        table = payments_table(payments_for_invoices(invoice_ids=[invoice.pk])[invoice.pk])
        listing = self._payments_list_url(invoice)
        if listing is None:
            return table
        return format_html('{}<p><a href="{}">Open in the payments list</a></p>', table, listing)

    def _payments_list_url(self, invoice: Invoice) -> str | None:
        try:
            url = reverse("admin:payments_payment_changelist", current_app=self.admin_site.name)
        except NoReverseMatch:
            return None
        return f"{url}?invoice__id__exact={invoice.pk}"

    # --- the list's and the page's buttons -----------------------------------------------

    def get_urls(self) -> list[Any]:
        return self.page_urls() + super().get_urls()

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        tools = [("Preview next invoice for a company", self.page_url("preview"))]
        if self.has_raise_permission(request):
            tools.insert(0, ("Raise an invoice", self.page_url("raise")))
        return super().changelist_view(request, {**(extra_context or {}), "invoice_tools": tools})

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        invoice = self.get_object(request, unquote(object_id))
        tools = self._invoice_tools(request, invoice) if invoice is not None else []
        return super().change_view(
            request, object_id, form_url, {**(extra_context or {}), "invoice_tools": tools}
        )

    def _invoice_tools(self, request: HttpRequest, invoice: Invoice) -> list[tuple[str, str]]:
        tools = [("Download PDF", self.page_url("pdf", invoice))]
        # A card invoice is paid and voided at the gateway, never by hand here.
        if self.has_manage_permission(request) and invoice.source == InvoiceSource.INTERNAL:
            if invoice.status in OPEN_STATUSES:
                tools.insert(0, ("Record a payment", self.page_url("record_payment", invoice)))
            if invoice.status != InvoiceStatus.VOID and not invoice.amount_paid:
                tools.append(("Void", self.page_url("void", invoice)))
        return tools

    # --- actions -----------------------------------------------------------------------

    @admin.action(description="Issue selected drafts", permissions=["manage"])
    def issue_drafts(self, request: HttpRequest, queryset: QuerySet[Invoice]) -> None:
        drafts = queryset.filter(
            status=InvoiceStatus.DRAFT, source=InvoiceSource.INTERNAL
        ).order_by("period_start", "pk")
        draft_ids = list(drafts.values_list("pk", flat=True))
        skipped = queryset.count() - len(draft_ids)
        issued = []
        for invoice_id in draft_ids:
            try:
                invoice = invoice_issue(invoice_id=invoice_id)
            except ApplicationError as error:
                self.message_user(request, f"Draft {invoice_id}: {error.message}", messages.ERROR)
                continue
            self.log_change(request, invoice, f"Issued as {invoice.number}.")
            issued.append(invoice.number)
        if issued:
            self.message_user(
                request, f"Issued {len(issued)}: {', '.join(issued)}.", messages.SUCCESS
            )
        if skipped:
            self.message_user(
                request,
                f"{skipped} selected were not drafts to issue here (card invoices are "
                "issued by the gateway): left as they were.",
                messages.WARNING,
            )
