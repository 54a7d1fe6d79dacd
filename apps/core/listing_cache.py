"""Cached list pages with conditional GET, for a view whose rows one read scope covers.

A page is cached under the company's current version of the view's ``read_scope``
(apps.core.read_versions), who asks (an admin sees the company's rows, anyone else their
own) and the exact URL. Its ETag is that key's digest, so ``If-None-Match`` is answered
304 before the page is read or rendered, and any write in the scope changes it.
The version, the page and the page's total (see apps.core.pagination) are read in one
round trip: each is kept under a key without the version, with the version it was made
under, and used only while that version is current.
With the cache down there is no version: the page is computed and sent without an ETag.
"""

import hashlib
from functools import partial
from typing import Any

from django.core.cache import cache
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.read_versions import (
    READ_CACHE_TIMEOUT,
    read_early_remember,
    read_version,
    read_version_key,
    read_version_remember,
)
from apps.core.roles import Role
from apps.core.tenancy import require_tenant


def etag_matches(request: Request, etag: str) -> bool:
    header = request.headers.get("If-None-Match", "")
    return any(tag.strip() in (etag, f"W/{etag}", "*") for tag in header.split(","))


class CachedListMixin:
    read_scope: str

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        tenant = require_tenant(request)
        viewer = "all" if tenant.role == Role.COMPANY_ADMIN else f"{tenant.role}:{tenant.user_id}"
        place = repr((tenant.company_id, viewer, request.build_absolute_uri()))
        digest = hashlib.sha256(place.encode()).hexdigest()
        key = f"listing:{self.read_scope}:{tenant.company_id}:{digest}"
        version_key = read_version_key(self.read_scope, tenant.company_id)
        # The page's total too, when the list counts one: read with the page, the count
        # costs no round trip of its own on a page made afresh.
        paginator = getattr(self, "paginator", None)
        before_query = getattr(paginator, "count_key_before_query", None)
        count_key = before_query(request, self) if before_query else None
        found = cache.get_many([version_key, key, *([count_key] if count_key else [])])
        version = found.get(version_key) or read_version(self.read_scope, tenant.company_id)
        if version is None:
            return super().list(request, *args, **kwargs)  # type: ignore[misc]
        read_version_remember(request, self.read_scope, tenant.company_id, version)
        if count_key:
            read_early_remember(request, {count_key: found.get(count_key)})
        etag = f'"{hashlib.sha256(f"{version}:{place}".encode()).hexdigest()[:40]}"'
        if etag_matches(request, etag):
            response = Response(status=status.HTTP_304_NOT_MODIFIED)
        else:
            kept = found.get(key)
            if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == version:
                response = Response(kept[1])
            else:
                response = super().list(request, *args, **kwargs)  # type: ignore[misc]
                if response.status_code != status.HTTP_200_OK:
                    return response
                # Kept when the response is closed, after its last byte is sent: the
                # caller does not wait for the cache's reply (a request arriving
                # meanwhile reads the page from the database, as before it was kept).
                response._resource_closers.append(
                    partial(cache.set, key, (version, response.data), READ_CACHE_TIMEOUT)
                )
        # Cache-Control stays no-store (apps.core.middleware): no browser or proxy keeps one
        # caller's data; a client that keeps the page itself revalidates with the ETag.
        response["ETag"] = etag
        return response
