"""The "Billing staff" group: our people who manage companies' subscriptions in the admin."""

from django.db import migrations

from apps.core.group_permissions import grant_permissions

GROUP = "Billing staff"
PERMISSIONS = {
    "companies": [
        "view_company",
        "change_company",
        "view_plan",
        "change_plan",
        "view_planstripeprice",
        "add_planstripeprice",
        "change_planstripeprice",
        "view_membership",
        "view_apikey",
    ],
}


create_group, _ = grant_permissions(GROUP, PERMISSIONS)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("companies", "0002_plan_catalogue"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
