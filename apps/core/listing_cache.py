"""Cached list pages with conditional GET, for a view whose rows one read scope covers.

A page is cached under the company's current version of the view's ``read_scope``
(apps.core.read_versions), who asks (an admin sees the company's rows, anyone else their
own) and the exact URL. Its ETag is that key's digest, so ``If-None-Match`` is answered
304 before the page is read or rendered, and any write in the scope changes it.
With the cache down there is no version: the page is computed and sent without an ETag.
"""

import hashlib
from typing import Any

from django.core.cache import cache
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.read_versions import READ_CACHE_TIMEOUT, read_version
from apps.core.roles import Role
from apps.core.tenancy import require_tenant


def etag_matches(request: Request, etag: str) -> bool:
    header = request.headers.get("If-None-Match", "")
    return any(tag.strip() in (etag, f"W/{etag}", "*") for tag in header.split(","))


class CachedListMixin:
    read_scope: str

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        tenant = require_tenant(request)
        version = read_version(self.read_scope, tenant.company_id)
        if version is None:
            return super().list(request, *args, **kwargs)  # type: ignore[misc]
        viewer = "all" if tenant.role == Role.COMPANY_ADMIN else f"{tenant.role}:{tenant.user_id}"
        identity = repr((tenant.company_id, version, viewer, request.build_absolute_uri()))
        digest = hashlib.sha256(identity.encode()).hexdigest()
        etag = f'"{digest[:40]}"'
        if etag_matches(request, etag):
            response = Response(status=status.HTTP_304_NOT_MODIFIED)
        else:
            key = f"listing:{self.read_scope}:{tenant.company_id}:{digest}"
            body = cache.get(key)
            if body is None:
                response = super().list(request, *args, **kwargs)  # type: ignore[misc]
                if response.status_code != status.HTTP_200_OK:
                    return response
                cache.set(key, response.data, READ_CACHE_TIMEOUT)
            else:
                response = Response(body)
        # Cache-Control stays no-store (apps.core.middleware): no browser or proxy keeps one
        # caller's data; a client that keeps the page itself revalidates with the ETag.
        response["ETag"] = etag
        return response
