"""Billing staff read the audit trail in the admin (after an incident, a dispute); nobody
changes it there."""

from django.db import migrations

from apps.core.group_permissions import grant_permissions

GROUP = "Billing staff"
PERMISSIONS = {"audit": ["view_auditentry"]}


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("companies", "0003_billing_staff_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(*grant_permissions(GROUP, PERMISSIONS))]
