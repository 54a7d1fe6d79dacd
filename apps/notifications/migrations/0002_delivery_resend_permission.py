"""Notifications for the "Billing staff" group: to read notifications, their batches and
deliveries in the admin, and to send a failed delivery again."""

from django.db import migrations

from apps.core.group_permissions import grant_permissions

GROUP = "Billing staff"
PERMISSIONS = {
    "notifications": [
        "view_notification",
        "view_notificationdispatch",
        "view_delivery",
        "resend_delivery",
    ],
}


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("billing", "0003_billing_staff_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="delivery",
            options={
                "permissions": [("resend_delivery", "Can send failed deliveries again")],
                "verbose_name_plural": "deliveries",
            },
        ),
        migrations.RunPython(*grant_permissions(GROUP, PERMISSIONS)),
    ]
