"""OpenAPI descriptions of the authentication classes, for drf-spectacular.

drf-spectacular describes simplejwt's JWTAuthentication but not subclasses of it, nor our
API key header; without these extensions the schema has no security schemes and
``check --deploy`` warns about every view.
"""

from typing import Any

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension

from apps.companies.authentication import API_KEY_HEADER
from apps.core.permissions import IsSignedInUser


class TenantJWTScheme(SimpleJWTScheme):
    target_class = "apps.companies.authentication.TenantJWTAuthentication"


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "apps.companies.authentication.ApiKeyAuthentication"
    name = "apiKeyAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "header", "name": API_KEY_HEADER}

    def get_security_requirement(self, auto_schema: Any) -> dict[str, list[Any]] | None:
        # An endpoint for signed-in people refuses API keys: not a way in to document.
        permissions = auto_schema.view.get_permissions()
        if any(isinstance(permission, IsSignedInUser) for permission in permissions):
            return None
        return super().get_security_requirement(auto_schema)
