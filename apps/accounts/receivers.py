"""The account changed: what authentication cached of it is stale from the next request.

A model signal, not a domain event: any write to the row (a service, the admin, a
password reset) must reach the cache, and nothing but the cache listens.
"""

from typing import Any

from apps.core.auth_versions import auth_versions_bump


def user_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    auth_versions_bump([instance.pk])
