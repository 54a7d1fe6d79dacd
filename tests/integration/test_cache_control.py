"""API answers carry ``Cache-Control: no-store``: one caller's data, kept by no cache.

Every GET route is walked as a company admin; errors and unknown /api/ paths carry it too.
The admin, the health probes and static files keep their own caching headers.
"""

import pytest
from django.test import Client
from django.test.utils import override_settings

from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.integration.routes import api_routes
from tests.integration.test_tenant_isolation import OBJECT_FACTORIES, STAFF_ROUTES, _resource

pytestmark = pytest.mark.django_db

# The unsubscribe link answers only with its token: tests/notifications/test_unsubscribe.py
# checks its no-store.
NEEDS_A_TOKEN = {"notification-unsubscribe"}
GET_ROUTES = [
    route
    for route in api_routes()
    if "get" in route.methods and route.name not in NEEDS_A_TOKEN | STAFF_ROUTES
]


@pytest.mark.parametrize("route", GET_ROUTES, ids=str)
def test_every_api_get_route_answers_no_store(company, admin_client, route):
    path = (
        route.path(OBJECT_FACTORIES[_resource(route)](company)) if route.is_detail else route.path()
    )

    response = admin_client.get(path)

    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("route", [r for r in api_routes() if r.name in STAFF_ROUTES], ids=str)
def test_staff_routes_answer_no_store(route):
    response = client_for(UserFactory(is_staff=True)).get(route.path())

    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"


def test_api_errors_answer_no_store(api_client, user):
    responses = {
        "401": api_client.get("/api/company/"),
        "400": api_client.post("/api/auth/login/", {}, format="json"),
        "403": client_for(user).get("/api/estates/"),  # signed in, but in no company
        "404": api_client.get("/api/no/such/thing/"),
        "404 without slash": api_client.post("/api/auth/login", {}, format="json"),
        "405": api_client.delete("/api/plans/"),
    }

    assert {name: response.status_code for name, response in responses.items()} == {
        "401": 401,
        "400": 400,
        "403": 403,
        "404": 404,
        "404 without slash": 404,
        "405": 405,
    }
    assert all(response["Cache-Control"] == "no-store" for response in responses.values())


@override_settings(LOGIN_RATE_LIMIT="1/m")
def test_a_refused_login_answers_no_store(api_client, user):
    responses = [
        api_client.post("/api/auth/login/", {"email": user.email, "password": "x"}, format="json")
        for _ in range(2)
    ]

    assert responses[-1].status_code == 429
    assert responses[-1]["Cache-Control"] == "no-store"


@pytest.mark.urls("tests.core.urls_for_tests")
def test_a_server_error_answers_no_store(api_client):
    response = api_client.get("/api/test/errors/crash/")

    assert response.status_code == 500
    assert response["Cache-Control"] == "no-store"


@pytest.mark.urls("tests.core.urls_for_tests")
def test_a_view_that_sets_its_own_cache_control_keeps_it(api_client):
    response = api_client.get("/api/test/own-cache-control/")

    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=60"


@pytest.mark.parametrize("path", ["/healthz", "/admin/login/"])
def test_pages_outside_the_api_keep_djangos_never_cache_headers(path):
    response = Client().get(path)

    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


def test_static_files_stay_cacheable():
    response = Client().get("/static/admin/css/base.css")

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
