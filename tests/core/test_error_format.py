"""Every API error has one shape: {"error": {"code", "message", "details"}}."""

import json

import pytest
from django.test import Client, RequestFactory, override_settings

from apps.core.errors import DATABASE_BUSY_RETRY_AFTER
from apps.core.views import server_error
from tests.core.views_for_tests import DATABASE_ERRORS

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.urls_for_tests")]


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


def test_validation_error_names_the_fields(api_client):
    response = api_client.post(
        "/api/test/echo/", {"name": "far too long a name", "amount": "-1"}, format="json"
    )
    error = assert_error(response, 400, "validation_error")
    assert set(error["details"]) == {"name", "amount"}


def test_valid_input_passes(api_client):
    response = api_client.post("/api/test/echo/", {"name": "ok", "amount": "10.50"}, format="json")
    assert response.status_code == 200
    assert response.json() == {"name": "ok", "amount": "10.50"}


@pytest.mark.parametrize(
    "body",
    [
        b'{"name": "x",',
        b"not json",
        b'{"amount": NaN, "name": "x"}',
        b"\xff\xfe\xfa",
        b"[" * 100_000 + b"]" * 100_000,
    ],
    ids=["truncated", "text", "nan", "bad-utf8", "deeply-nested"],
)
def test_malformed_json_is_a_400(api_client, body):
    response = api_client.generic("POST", "/api/test/echo/", body, content_type="application/json")
    assert_error(response, 400, "malformed_json")


@override_settings(API_MAX_JSON_BODY_BYTES=1024)
def test_oversized_json_is_a_400_before_parsing(api_client):
    body = json.dumps({"name": "x", "amount": "1", "pad": "a" * 2000}).encode()
    response = api_client.generic("POST", "/api/test/echo/", body, content_type="application/json")
    error = assert_error(response, 400, "body_too_large")
    assert "1024" in error["message"]


@override_settings(API_MAX_JSON_BODY_BYTES=1024)
def test_parser_stops_reading_at_the_limit_when_no_length_is_declared():
    """A chunked body has no Content-Length: the parser still reads no more than limit + 1."""
    import io

    from rest_framework.exceptions import ParseError
    from rest_framework.test import APIRequestFactory

    from apps.core.parsers import BoundedJSONParser

    request = APIRequestFactory().post("/api/test/echo/")
    request.META.pop("CONTENT_LENGTH", None)
    stream = io.BytesIO(b'{"pad": "' + b"a" * 10_000 + b'"}')
    with pytest.raises(ParseError) as raised:
        BoundedJSONParser().parse(stream, parser_context={"request": request})
    assert raised.value.detail.code == "body_too_large"
    assert stream.tell() == 1025


def post_json(client, path, payload):
    return client.generic("POST", path, json.dumps(payload), content_type="application/json")


@override_settings(API_MAX_JSON_KEYS=10)
def test_a_body_with_as_many_keys_as_the_cap_is_parsed(api_client):
    payload = {"name": "ok", "amount": "1.00", **{f"extra{n}": n for n in range(8)}}
    response = post_json(api_client, "/api/test/echo/", payload)
    assert response.status_code == 200
    assert response.json() == {"name": "ok", "amount": "1.00"}


@override_settings(API_MAX_JSON_KEYS=10)
@pytest.mark.parametrize(
    "payload",
    [
        {"name": "ok", "amount": "1.00", **{f"extra{n}": n for n in range(9)}},
        # Keys are counted across nested objects, and inside arrays too.
        {"name": "ok", "amount": "1.00", "pad": {f"k{n}": n for n in range(8)}},
        {
            "name": "ok",
            "pad": [{"a": 1, "b": 2, "c": 3, "d": 4}, {"e": {"f": 1, "g": 2, "h": 3, "i": 4}}],
        },
    ],
    ids=["flat", "nested", "in-arrays"],
)
def test_a_body_with_more_keys_than_the_cap_is_refused(api_client, payload):
    error = assert_error(post_json(api_client, "/api/test/echo/", payload), 400, "too_many_fields")
    assert "10" in error["message"]
    assert error["details"] is None


@override_settings(API_MAX_JSON_KEYS=10)
def test_repeated_keys_count_as_often_as_they_are_sent(api_client):
    body = "{" + ",".join(['"name": "x"'] * 11) + "}"
    response = api_client.generic("POST", "/api/test/echo/", body, content_type="application/json")
    assert_error(response, 400, "too_many_fields")


def test_refused_fields_are_named_up_to_twenty_and_the_rest_counted(api_client):
    unknown = [f"field_{n:02d}" for n in range(50)]
    payload = {"name": "ok", **dict.fromkeys(reversed(unknown), 1)}
    error = assert_error(
        post_json(api_client, "/api/test/strict-echo/", payload), 400, "validation_error"
    )
    details = error["details"]
    assert list(details) == [*unknown[:20], "non_field_errors"]
    assert all(details[name] == ["This field cannot be set."] for name in unknown[:20])
    assert details["non_field_errors"] == ["30 more fields cannot be set either."]


def test_a_few_refused_fields_are_all_named(api_client):
    payload = {"name": "ok", "company": 9, "subscription_tier": "enterprise"}
    error = assert_error(
        post_json(api_client, "/api/test/strict-echo/", payload), 400, "validation_error"
    )
    assert error["details"] == {
        "company": ["This field cannot be set."],
        "subscription_tier": ["This field cannot be set."],
    }


def test_non_object_json_is_a_validation_error(api_client):
    response = api_client.post("/api/test/echo/", [1, 2], format="json")
    assert_error(response, 400, "validation_error")


def test_unsupported_media_type(api_client):
    response = api_client.generic("POST", "/api/test/echo/", b"name=x", content_type="text/plain")
    assert_error(response, 415, "unsupported_media_type")


def test_method_not_allowed(api_client):
    assert_error(api_client.delete("/api/test/echo/"), 405, "method_not_allowed")


def test_unknown_api_path_is_a_json_404(api_client):
    assert_error(api_client.get("/api/no/such/thing/"), 404, "not_found")


@pytest.mark.urls("config.urls")
@override_settings(DEBUG=True)
def test_unknown_api_path_is_json_even_in_debug(api_client):
    assert_error(api_client.post("/api/no/such/thing/"), 404, "not_found")


@pytest.mark.urls("config.urls")
def test_missing_trailing_slash_names_the_right_path(api_client):
    error = assert_error(api_client.post("/api/auth/login", {}, format="json"), 404, "not_found")
    assert error["details"] == {"did_you_mean": "/api/auth/login/"}


def test_not_authenticated_is_a_401_with_challenge(api_client):
    response = api_client.get("/api/company/")
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_bad_token_is_a_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert_error(api_client.get("/api/company/"), 401, "token_not_valid")


def test_throttled_is_a_429_with_retry_after(api_client):
    response = api_client.get("/api/test/errors/throttled/")
    error = assert_error(response, 429, "throttled")
    assert response["Retry-After"] == "13"
    assert error["details"]["retry_after"] == 13


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("django-404", 404, "not_found"),
        ("django-validation", 400, "validation_error"),
        ("conflict", 409, "already_done"),
        ("payment", 402, "subscription_inactive"),
    ],
)
def test_django_and_application_errors(api_client, kind, status, code):
    assert_error(api_client.get(f"/api/test/errors/{kind}/"), status, code)


def test_application_error_carries_details(api_client):
    error = assert_error(api_client.get("/api/test/errors/conflict/"), 409, "already_done")
    assert error["details"] == {"id": 3}
    assert error["message"] == "Already done."


def test_unhandled_error_is_a_500_in_the_format_without_internals(api_client):
    response = api_client.get("/api/test/errors/crash/")
    error = assert_error(response, 500, "server_error")
    assert "boom" not in response.content.decode()
    assert error["details"] is None


@pytest.mark.urls("config.urls")
@pytest.mark.parametrize(("method", "path"), [("get", "/api/plans/"), ("post", "/api/auth/login/")])
def test_too_many_query_parameters_are_a_400_not_a_500(api_client, method, path):
    """Replays the probe: 1,001 query parameters made Django raise TooManyFieldsSent."""
    query = "&".join(f"a{n}=1" for n in range(1001))
    response = getattr(api_client, method)(f"{path}?{query}", {}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


# --- a busy database (SQLite's lock timeout) -------------------------------------------------


def assert_database_busy(response):
    assert response.status_code == 503, response.content
    assert response["Retry-After"] == str(DATABASE_BUSY_RETRY_AFTER)


@pytest.mark.parametrize("kind", ["database-locked", "database-table-locked"])
def test_a_busy_database_is_a_503_with_retry_after(api_client, kind):
    response = api_client.get(f"/api/test/errors/{kind}/")
    error = assert_error(response, 503, "database_busy")
    assert_database_busy(response)
    assert error["details"] == {"retry_after": DATABASE_BUSY_RETRY_AFTER}
    assert "locked" not in response.content.decode()


@pytest.mark.parametrize("kind", ["database-no-table", "database-other"])
def test_other_database_errors_stay_500s(api_client, kind):
    response = api_client.get(f"/api/test/errors/{kind}/")
    assert_error(response, 500, "server_error")
    assert "Retry-After" not in response


def test_a_busy_database_outside_drf_is_a_503_in_the_format_under_api(api_client):
    response = api_client.get("/api/test/plain/database-locked/")
    assert_error(response, 503, "database_busy")
    assert_database_busy(response)
    assert response["Cache-Control"] == "no-store"


def test_a_busy_database_outside_the_api_is_a_plain_503(api_client):
    response = api_client.get("/test/plain/database-locked/")
    assert_database_busy(response)
    assert response["Content-Type"].startswith("text/plain")


def test_other_database_errors_outside_drf_stay_500s():
    client = Client(raise_request_exception=False)
    response = client.get("/api/test/plain/database-other/")
    assert_error(response, 500, "server_error")
    assert "Retry-After" not in response


@pytest.mark.parametrize("path", ["/api/company/", "/admin/"])
def test_the_500_page_answers_503_for_a_busy_database_met_outside_a_view(path):
    # Django renders handler500 while handling the exception, as when a middleware (the
    # session's save) meets the lock after the view has returned.
    request = RequestFactory().get(path)
    try:
        raise DATABASE_ERRORS["database-locked"]
    except Exception:
        response = server_error(request)
    assert_database_busy(response)
    crashed = server_error(request)
    assert crashed.status_code == 500
