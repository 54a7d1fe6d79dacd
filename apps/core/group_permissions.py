"""Granting a staff group its permissions from a data migration.

    operations = [migrations.RunPython(*grant_permissions("Billing staff", PERMISSIONS))]

where PERMISSIONS maps an app label to permission codenames. Uses the migration's
historical models only, so it keeps working as the models change.
"""

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from django.contrib.auth.management import create_permissions

MigrationFunction = Callable[[Any, Any], None]


def _ensure_permissions_exist(apps: Any) -> None:
    # Permissions are normally created after all migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None


def _permissions(apps: Any, permissions: Mapping[str, Sequence[str]]) -> Iterator[Any]:
    Permission = apps.get_model("auth", "Permission")
    for app_label, codenames in permissions.items():
        yield from Permission.objects.filter(
            content_type__app_label=app_label, codename__in=codenames
        )


def grant_permissions(
    group_name: str, permissions: Mapping[str, Sequence[str]]
) -> tuple[MigrationFunction, MigrationFunction]:
    """The forward and backward functions of a RunPython that adds ``permissions`` to the
    group (created if missing) and takes them away again."""

    def grant(apps: Any, schema_editor: Any) -> None:
        _ensure_permissions_exist(apps)
        group, _ = apps.get_model("auth", "Group").objects.get_or_create(name=group_name)
        group.permissions.add(*_permissions(apps, permissions))

    def revoke(apps: Any, schema_editor: Any) -> None:
        group = apps.get_model("auth", "Group").objects.filter(name=group_name).first()
        if group is not None:
            group.permissions.remove(*_permissions(apps, permissions))

    return grant, revoke
