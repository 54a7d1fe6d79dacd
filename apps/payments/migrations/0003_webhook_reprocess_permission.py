"""Stripe's webhook events for the "Billing staff" group: to read them, with their cards,
and to process a failed one again from the admin."""

from django.db import migrations

from apps.core.group_permissions import grant_permissions

GROUP = "Billing staff"
PERMISSIONS = {
    "payments": ["view_webhookevent", "reprocess_webhookevent", "view_paymentmethod"],
}


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0002_card_payments_and_webhooks"),
        ("billing", "0003_billing_staff_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="webhookevent",
            options={
                "ordering": ["-received_at", "-id"],
                "permissions": [("reprocess_webhookevent", "Can process webhook events again")],
            },
        ),
        migrations.RunPython(*grant_permissions(GROUP, PERMISSIONS)),
    ]
