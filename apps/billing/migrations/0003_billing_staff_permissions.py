"""What the "Billing staff" group (companies 0003) needs for invoices, credits and
payments in the admin, and nothing more.

- view_invoice: the invoice list and pages, PDFs, the preview of a company's next invoice;
- change_invoice: the actions (issue, record a payment, void); an invoice is never edited
  in place, whatever the permission says (InvoiceAdmin.has_change_permission);
- add_invoice: raising an invoice by hand for a past period (the admin's own add form
  stays off: invoices come from the monthly run or invoice_raise);
- view_invoiceline: an invoice's lines, shown on its page;
- view/add/change_credit: credits, given and corrected through the credit services
  (never deleted);
- payments.view_payment: the payments list (payments are recorded from the invoice).
"""

from django.db import migrations

from apps.core.group_permissions import grant_permissions

GROUP = "Billing staff"
PERMISSIONS = {
    "billing": [
        "view_invoice",
        "change_invoice",
        "add_invoice",
        "view_invoiceline",
        "view_credit",
        "add_credit",
        "change_credit",
    ],
    "payments": ["view_payment"],
}


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0002_invoice_vat_rate"),
        ("payments", "0001_initial"),
        ("companies", "0003_billing_staff_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(*grant_permissions(GROUP, PERMISSIONS))]
