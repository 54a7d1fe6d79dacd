"""A membership or a company changed: the cached tenants of the people concerned are
stale from their next request (apps.companies.auth_snapshot).

Model signals, not domain events: any write to these rows (a service, the admin, billing
suspending a company) must reach the cache, and nothing but the cache listens.
"""

from typing import Any

from apps.companies.models import Membership
from apps.core.auth_versions import auth_versions_bump


def membership_changed(sender: Any, instance: Membership, **kwargs: Any) -> None:
    auth_versions_bump([instance.user_id])


def company_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    auth_versions_bump(
        Membership.objects.filter(company_id=instance.pk).values_list("user_id", flat=True)
    )
