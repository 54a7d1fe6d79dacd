"""A URL too long to answer gets a 414 in the error format, below the HTTP server's own
limit, and the schema says so."""

import runpy
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import client_for

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def padded_path(length):
    base = "/api/plots/?search="
    return base + "a" * (length - len(base))


def test_a_url_over_the_limit_is_a_414_in_the_error_format(admin_client, settings):
    settings.MAX_URL_LENGTH = 500
    response = admin_client.get(padded_path(501))
    assert response.status_code == 414
    assert response.json()["error"]["code"] == "uri_too_long"
    assert response["Cache-Control"] == "no-store"


def test_a_url_at_the_limit_is_answered(admin_client, settings):
    settings.MAX_URL_LENGTH = 500
    response = admin_client.get(padded_path(500))
    # Reaches the view, which refuses a search longer than it documents.
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


def test_repeated_query_parameters_count_too(user, settings):
    settings.MAX_URL_LENGTH = 500
    response = client_for(user).get("/api/plots/?" + "&".join(["page=1"] * 100))
    assert response.status_code == 414


def test_gunicorn_lets_through_every_url_we_answer_ourselves():
    config = runpy.run_path(str(ROOT / "config" / "gunicorn_conf.py"))
    longest_request_line = len("OPTIONS ") + settings.MAX_URL_LENGTH + len(" HTTP/1.1")
    assert config["limit_request_line"] >= longest_request_line


def test_the_schema_documents_the_414(admin_client):
    schema = admin_client.get("/api/schema/?format=json").json()
    operations = [op for path in schema["paths"].values() for op in path.values()]
    assert all("414" in operation["responses"] for operation in operations)
