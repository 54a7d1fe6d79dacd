"""Every response carries X-Request-ID: the caller's when it is a sane token, a new one
otherwise."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_request_id_is_generated_when_absent(api_client):
    first = api_client.get("/api/plans/")["X-Request-ID"]
    second = api_client.get("/api/plans/")["X-Request-ID"]
    assert len(first) == 32 and first != second


def test_the_callers_request_id_is_returned(api_client):
    response = api_client.get("/api/plans/", HTTP_X_REQUEST_ID="abc-123_XYZ.7890")
    assert response["X-Request-ID"] == "abc-123_XYZ.7890"


@pytest.mark.parametrize("value", ["short", "x" * 65, "has space inside", "<script>alert</script>"])
def test_an_odd_request_id_is_replaced(api_client, value):
    response = api_client.get("/api/plans/", HTTP_X_REQUEST_ID=value)
    assert response["X-Request-ID"] != value
    assert len(response["X-Request-ID"]) == 32


def test_errors_and_non_api_paths_carry_it_too(api_client):
    assert api_client.get("/api/nowhere/")["X-Request-ID"]
    assert api_client.get("/healthz")["X-Request-ID"]
