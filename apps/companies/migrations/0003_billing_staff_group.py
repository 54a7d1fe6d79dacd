"""The "Billing staff" group: our people who manage companies' subscriptions in the admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

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


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for app_label, codenames in PERMISSIONS.items():
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("companies", "0002_plan_catalogue"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
