"""A membership, an API key or a company changed: the cached tenants of the people and
keys concerned are stale from their next request (apps.companies.auth_snapshot,
apps.companies.api_key_cache).

Model signals, not domain events: any write to these rows (a service, the admin, billing
suspending a company) must reach the cache, and nothing but the cache listens.
"""

from typing import Any

from apps.companies.api_key_cache import api_key_versions_bump
from apps.companies.models import ApiKey, Membership
from apps.companies.selectors import COMPANY_ROW
from apps.core.auth_versions import auth_versions_bump
from apps.core.read_versions import read_version_bump


def membership_changed(sender: Any, instance: Membership, **kwargs: Any) -> None:
    auth_versions_bump([instance.user_id])


def company_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    read_version_bump(COMPANY_ROW, instance.pk)
    auth_versions_bump(
        Membership.objects.filter(company_id=instance.pk).values_list("user_id", flat=True)
    )
    api_key_versions_bump(
        list(ApiKey.objects.filter(company_id=instance.pk).values_list("prefix", flat=True))
    )


def api_key_changed(sender: Any, instance: ApiKey, **kwargs: Any) -> None:
    api_key_versions_bump([instance.prefix])
