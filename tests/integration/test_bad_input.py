"""Malformed, oversized and mass-assigning bodies on every write route: a 4xx, no change."""

import bz2
import io
import json
import zlib

import pytest
from django.apps import apps
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory, override_settings

from apps.companies.models import Company
from apps.core.wsgi import Handler
from tests.companies.factories import CompanyFactory, MembershipFactory
from tests.conftest import client_for
from tests.estates.factories import EstateFactory
from tests.integration.routes import api_routes
from tests.integration.test_tenant_isolation import OBJECT_FACTORIES, _resource

pytestmark = pytest.mark.django_db

WRITE_METHODS = ("post", "put", "patch")
# Stripe's webhook reads its body raw and answers by its signature, not its shape: its
# bad deliveries are tested in tests/payments/test_webhooks.py.
NOT_JSON_ROUTES = {"schema", "docs", "stripe-webhook"}
WRITE_ROUTES = [
    (route, method)
    for route in api_routes()
    for method in route.methods
    if method in WRITE_METHODS and route.name not in NOT_JSON_ROUTES
]

# What a client must never be able to set: the tenant, the plan, limits, status, money.
MASS_ASSIGNMENT = {
    "company": 999,
    "company_id": 999,
    "subscription_tier": "enterprise",
    "subscription_status": "active",
    "trial_ends_at": "2099-01-01T00:00:00Z",
    "max_plots": 10**6,
    "max_agents": 10**6,
    "max_api_calls_daily": 10**9,
    "stripe_customer_id": "cus_attacker",
}


def snapshot():
    counts = {model._meta.label: model.objects.count() for model in apps.get_models()}
    companies = list(Company.objects.order_by("pk").values())
    return counts, companies


@pytest.fixture
def caller():
    company = CompanyFactory()
    admin = MembershipFactory(company=company, role="company_admin").user
    return company, client_for(admin)


def path_for(route, company):
    if not route.is_detail:
        return route.path()
    return route.path(OBJECT_FACTORIES[_resource(route)](company))


def assert_unchanged_4xx(send):
    before = snapshot()
    response = send()
    assert 400 <= response.status_code < 500, response.content
    body = response.json()
    assert set(body["error"]) == {"code", "message", "details"}
    assert snapshot() == before
    return response


# Half a surrogate pair, escaped: as a key (an error naming it could not be written), in a
# nested object, as a value.
LONE_SURROGATES = [
    b'{"\\ud800": 1}',
    b'{"name": "x", "filters": {"\\udc00x": "1"}}',
    b'{"name": "x", "role": "\\ud800", "tier": "\\uDBFF"}',
    b'[{"a": ["\\ud83c"]}]',
]


@pytest.mark.parametrize(("route", "method"), WRITE_ROUTES, ids=str)
@pytest.mark.parametrize(
    "body",
    [b'{"name": "x",', b"\x00\x01garbage", b"[" * 50_000 + b"]" * 50_000, *LONE_SURROGATES],
    ids=["truncated", "binary", "nested", "lone-key", "lone-nested", "lone-values", "lone-list"],
)
def test_malformed_json_on_every_write_route(caller, route, method, body):
    company, client = caller
    path = path_for(route, company)
    response = assert_unchanged_4xx(
        lambda: client.generic(method.upper(), path, body, content_type="application/json")
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"


# A 2 MB body in 90 bytes, declared as a "charset" that decompresses; charsets that are
# no text encoding at all; punycode, slow to decode (up to the square of the body's size),
# and UTF-7: text encodings JSON is not written in. Each is refused before decoding.
NOT_TEXT_CHARSETS = [
    ("bz2_codec", bz2.compress(json.dumps({"name": " " * 2_000_000}).encode())),
    ("zlib_codec", zlib.compress(json.dumps({"name": " " * 2_000_000}).encode())),
    ("uu", b'{"name": "x"}'),
    ("rot13", b'{"name": "x"}'),
    ("base64", b"eyJuYW1lIjogIngifQ=="),
    ("punycode", b"-" + b"a" * 300_000),
    ("utf-7", b'{"name": "x"}'),
]  # (A charset Python does not know is ignored, as Django does: the body is UTF-8.)


@pytest.mark.parametrize(("route", "method"), WRITE_ROUTES, ids=str)
@pytest.mark.parametrize(
    ("charset", "body"), NOT_TEXT_CHARSETS, ids=[c for c, _ in NOT_TEXT_CHARSETS]
)
def test_a_charset_that_is_no_text_encoding_on_every_write_route(
    caller, route, method, charset, body
):
    company, client = caller
    path = path_for(route, company)
    response = assert_unchanged_4xx(
        lambda: client.generic(
            method.upper(), path, body, content_type=f"application/json; charset={charset}"
        )
    )
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"
    assert charset in response.json()["error"]["message"]


@pytest.mark.parametrize("charset", ["bz2_codec", "rot13", "uu", "punycode", "cp1252"])
def test_a_query_string_is_read_as_utf8_whatever_charset_is_declared(caller, charset):
    """Through the WSGI application gunicorn and runserver serve (the test client makes
    Django's own request): Django would decode the query string in the charset."""
    company, client = caller
    EstateFactory(company=company, name="Àjàh Gardens")
    environ = RequestFactory().get("/api/estates/", {"search": "Àjàh"}).environ | {
        "CONTENT_TYPE": f"application/json; charset={charset}",
        "HTTP_AUTHORIZATION": client._credentials["HTTP_AUTHORIZATION"],
        "wsgi.input": io.BytesIO(b""),
    }
    started = {}
    # As Django's test client does: the test's connection (its transaction) stays open.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = Handler()(environ, lambda status, headers: started.update(status=status))
        body = b"".join(response)
        response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert started["status"].startswith("200"), body
    assert [row["name"] for row in json.loads(body)["results"]] == ["Àjàh Gardens"]


@pytest.mark.parametrize("charset", ["utf-8", "UTF-16", "utf-16-le", "utf-32", "latin-1"])
def test_a_body_in_a_charset_json_is_written_in(caller, charset):
    _, client = caller
    body = json.dumps({"name": "Àjàh Gardens", "location": "Ajah", "state": "Lagos"})
    response = client.generic(
        "POST",
        "/api/estates/",
        body.encode(charset),
        content_type=f"application/json; charset={charset}",
    )
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "Àjàh Gardens"


def test_a_whole_surrogate_pair_is_text(caller):
    _, client = caller
    body = b'{"name": "\\ud83c\\udfe1 Gardens", "location": "Lekki", "state": "Lagos"}'
    response = client.generic("POST", "/api/estates/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "\U0001f3e1 Gardens"


@override_settings(API_MAX_JSON_BODY_BYTES=4096)
@pytest.mark.parametrize(("route", "method"), WRITE_ROUTES, ids=str)
def test_oversized_json_on_every_write_route(caller, route, method):
    company, client = caller
    path = path_for(route, company)
    body = json.dumps({"name": "x" * 10_000}).encode()
    response = assert_unchanged_4xx(
        lambda: client.generic(method.upper(), path, body, content_type="application/json")
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "body_too_large"


# The probe that stalled the workers: 80,000 unknown keys in 960 KB, under the byte limit.
MANY_KEYS_BODY = ("{" + ",".join(f'"f_{n:06d}":1' for n in range(80_000)) + "}").encode()


@pytest.mark.parametrize(("route", "method"), WRITE_ROUTES, ids=str)
def test_a_body_of_many_keys_gets_a_small_400_on_every_write_route(caller, route, method, settings):
    company, client = caller
    path = path_for(route, company)
    assert 900_000 < len(MANY_KEYS_BODY) < settings.API_MAX_JSON_BODY_BYTES

    response = assert_unchanged_4xx(
        lambda: client.generic(
            method.upper(), path, MANY_KEYS_BODY, content_type="application/json"
        )
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "too_many_fields"
    assert str(settings.API_MAX_JSON_KEYS) in error["message"]
    # Not one word per key sent (the probe's answer was 3.2 MB).
    assert len(response.content) < 500


@pytest.mark.parametrize(("route", "method"), WRITE_ROUTES, ids=str)
def test_mass_assignment_on_every_write_route(caller, route, method):
    company, client = caller
    path = path_for(route, company)
    assert_unchanged_4xx(lambda: getattr(client, method)(path, MASS_ASSIGNMENT, format="json"))


ANALYTICS_ROUTES = [route for route in api_routes() if route.name.startswith("analytics-")]


@pytest.mark.parametrize("route", ANALYTICS_ROUTES, ids=str)
@pytest.mark.parametrize(
    "query",
    ["granularity=hour", "from=2026-02-30", "to=next-week", "from=2026-10-05&to=2026-10-01", "x=1"],
)
def test_bad_report_queries_are_a_400_in_the_error_format(caller, route, query):
    _, client = caller
    response = assert_unchanged_4xx(lambda: client.get(f"{route.path()}?{query}"))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
