"""The OpenAPI schema and Swagger UI work offline (assets come from the sidecar package)."""

import re

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_schema_is_valid_without_warnings(tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    assert "/api/auth/login/" in text
    assert "/api/company/api-keys/{id}/" in text


def test_schema_endpoint_serves_openapi(api_client):
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/signup/" in schema["paths"]


def test_swagger_ui_loads_only_local_assets(api_client):
    response = api_client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui" in asset for asset in assets)
    assert all(not asset.startswith(("http://", "https://", "//")) for asset in assets), assets
    for asset in assets:
        if asset.startswith("/static/"):
            assert api_client.get(asset).status_code == 200, asset
