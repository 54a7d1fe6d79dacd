"""The published OpenAPI schema describes the API as it behaves, errors included.

Schemathesis fuzzes a live server from this schema in CI (see .ci/fuzz); these tests pin
the parts of the schema that code generators and fuzzers rely on.
"""

import json

import pytest
from django.test import Client as DjangoClient
from drf_spectacular.generators import SchemaGenerator

from tests.companies.factories import CompanyFactory, MembershipFactory
from tests.conftest import client_for
from tests.integration.routes import api_routes
from tests.integration.test_tenant_isolation import OBJECT_FACTORIES

pytestmark = pytest.mark.django_db

ERROR_REF = "#/components/schemas/Error"


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method.upper(), operation


def error_statuses(operation) -> set[int]:
    return {int(code) for code in operation["responses"] if int(code) >= 400}


def test_the_error_envelope_is_one_component(schema):
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    body = schema["components"]["schemas"]["ErrorBody"]
    assert set(body["required"]) == {"code", "message", "details"}
    assert "`plot_unavailable`" in body["properties"]["code"]["description"]


def test_every_error_response_uses_the_envelope(schema):
    for path, method, operation in operations(schema):
        for code, response in operation["responses"].items():
            if int(code) < 400:
                continue
            ref = response["content"]["application/json"]["schema"]["$ref"]
            assert ref == ERROR_REF, (method, path, code)


def test_every_operation_documents_its_errors(schema):
    for path, method, operation in operations(schema):
        statuses = error_statuses(operation)
        authenticated = bool(operation.get("security")) and {} not in operation["security"]
        assert 503 in statuses, (method, path)
        if method in ("POST", "PUT", "PATCH"):
            assert 400 in statuses, (method, path)
            # Stripe's webhook reads its body raw: no content type is refused.
            assert (415 in statuses) == (path != "/api/webhooks/stripe/"), (method, path)
        if authenticated:
            assert {401, 403, 429} <= statuses, (method, path)
        if "{id}" in path:
            assert 404 in statuses, (method, path)


def test_429_and_503_say_when_to_retry_and_throttled_answers_carry_the_limits(schema):
    plots = schema["paths"]["/api/plots/"]["get"]["responses"]
    assert "Retry-After" in plots["429"]["headers"]
    assert "X-RateLimit-Remaining" in plots["429"]["headers"]
    assert "RateLimit-Policy" in plots["200"]["headers"]
    assert "Retry-After" in plots["503"]["headers"]
    login = schema["paths"]["/api/auth/login/"]["post"]["responses"]
    assert "Retry-After" in login["429"]["headers"]


@pytest.mark.parametrize(
    ("path", "method", "status"),
    [
        ("/api/plots/", "post", 402),
        ("/api/plots/", "post", 409),
        ("/api/purchases/{id}/complete/", "post", 409),
        ("/api/affiliations/{id}/approve/", "post", 409),
        ("/api/commissions/{id}/mark-paid/", "post", 409),
        ("/api/invitations/signup/", "post", 409),
        ("/api/company/members/{id}/", "delete", 409),
    ],
)
def test_operations_that_can_refuse_say_so(schema, path, method, status):
    assert str(status) in schema["paths"][path][method]["responses"]


def test_inactive_companies_are_not_told_402_where_they_may_act(schema):
    assert "402" not in schema["paths"]["/api/company/"]["patch"]["responses"]
    assert "402" not in schema["paths"]["/api/company/api-keys/"]["post"]["responses"]
    assert "402" not in schema["paths"]["/api/plots/"]["get"]["responses"]


def test_a_plot_is_read_with_any_status_but_written_only_as_held_or_released(schema):
    components = schema["components"]["schemas"]

    def enum_of(component):
        ref = components[component]["properties"]["status"]["allOf"][0]["$ref"]
        return components[ref.rsplit("/", 1)[1]]["enum"]

    assert enum_of("Plot") == ["available", "reserved", "sold"]
    assert enum_of("PlotRequest") == ["available", "reserved"]
    assert enum_of("PatchedPlotRequest") == ["available", "reserved"]


def test_request_bodies_refuse_unknown_fields(schema):
    request_components = {
        name: component
        for name, component in schema["components"]["schemas"].items()
        if name.endswith("Request") and component.get("type") == "object"
    }
    assert request_components
    for name, component in request_components.items():
        assert component.get("additionalProperties") is False, name


def test_id_filters_are_positive_integers_and_decimal_filters_are_bounded(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/plots/"]["get"]["parameters"]}
    assert parameters["estate"]["schema"]["type"] == "integer"
    assert parameters["estate"]["schema"]["minimum"] == 1
    assert parameters["max_price"]["schema"]["maximum"] == pytest.approx(999999999999.99)
    purchases = {p["name"]: p for p in schema["paths"]["/api/purchases/"]["get"]["parameters"]}
    for name in ("plot", "client", "affiliation", "estate"):
        assert purchases[name]["schema"]["minimum"] == 1


def test_decimal_inputs_state_their_real_bounds(schema):
    price = schema["components"]["schemas"]["PlotRequest"]["properties"]["price"]
    string, number = price["oneOf"]
    assert (number["minimum"], number["maximum"]) == (0.01, 100000000000.0)
    assert not string["pattern"].startswith("^-")
    rate = schema["components"]["schemas"]["AffiliationApproveRequest"]["properties"]
    assert (
        rate["commission_rate"]["oneOf"][1]["minimum"],
        rate["commission_rate"]["oneOf"][1]["maximum"],
    ) == (0, 100)


def test_descriptions_come_from_the_endpoints_not_from_shared_mixins(schema):
    for _, _, operation in operations(schema):
        assert "get_queryset" not in operation.get("description", "")
    for name, component in schema["components"]["schemas"].items():
        assert "Refuse fields the client may not set" not in component.get("description", ""), name


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "/api/plots"), ("delete", "/api/plots/0.5/"), ("put", "/api/nowhere/")],
)
def test_unsafe_methods_on_unknown_paths_get_the_json_404_even_with_csrf_checks(method, path):
    """Replays the probe: Django's HTML CSRF 403 came back (the test client skips CSRF)."""
    response = getattr(DjangoClient(enforce_csrf_checks=True), method)(
        path, "{}", content_type="application/json"
    )
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"
    if path == "/api/plots":
        assert response.json()["error"]["details"] == {"did_you_mean": "/api/plots/"}


def test_every_route_is_in_the_schema(schema):
    documented = {(path, method.lower()) for path, method, _ in operations(schema)}
    for route in api_routes():
        if route.name in ("schema", "docs"):
            continue
        template = route.template.replace("{pk}", "{id}")
        for method in route.methods:
            assert (template, method) in documented, (method, template)


def decimal_inputs(schema):
    """(method, path, field) of every decimal a request body takes."""
    for path, method, operation in operations(schema):
        content = operation.get("requestBody", {}).get("content", {})
        ref = content.get("application/json", {}).get("schema", {}).get("$ref")
        if ref is None:
            continue
        properties = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]
        for name, field in properties.items():
            if [form.get("type") for form in field.get("oneOf", [])] == ["string", "number"]:
                yield method, path, name


LOOSE_DECIMALS = ["1e2", "1_000", "\u0663\u0660\u0660", "\uff11\uff10\uff10", " 100 ", "+5", "."]


def test_every_decimal_input_takes_only_the_schemas_string_form(schema):
    """A decimal string is digits and at most one point, as the schema's pattern says
    (Python's Decimal would also take an exponent, underscores, spaces, other scripts'
    digits); numbers stay numbers."""
    found = list(decimal_inputs(schema))
    assert {path for _, path, _ in found} >= {"/api/plots/", "/api/purchases/"}
    company = CompanyFactory()
    client = client_for(MembershipFactory(company=company, role="company_admin").user)
    for method, template, name in found:
        path = template
        if "{id}" in template:
            resource = template.strip("/").split("/")[1].rstrip("s")
            path = template.replace("{id}", str(OBJECT_FACTORIES[resource](company)))
        for value in LOOSE_DECIMALS:
            response = client.generic(
                method, path, json.dumps({name: value}), content_type="application/json"
            )
            assert response.status_code == 400, (method, path, name, value)
            assert name in response.json()["error"]["details"], (method, path, name, value)
