"""Failed API calls (429 and 5xx) are recorded, sampled: one entry per caller and kind per
window, the next one saying how many were left out."""

import pytest
from django.core.cache import caches

from config.caches import LIMITS_CACHE
from tests.audit.helpers import entries
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _login_limit(settings):
    settings.LOGIN_RATE_LIMIT = "10/m"


LOGIN = "/api/auth/login/"


def _bad_login(client, ip="203.0.113.9"):
    return client.post(
        LOGIN,
        {"email": "nobody@example.ng", "password": "wrong-password-1"},
        format="json",
        REMOTE_ADDR=ip,
    )


def test_a_burst_of_429s_is_one_entry_and_the_next_window_counts_the_rest(api_client):
    statuses = [_bad_login(api_client).status_code for _ in range(16)]
    refused = statuses.count(429)
    assert refused >= 2
    [first] = entries("api_call_failed")
    assert first.company_id is None
    assert first.remote_addr == "203.0.113.9"
    assert first.additional_data == {
        "method": "POST",
        "path": LOGIN,
        "status": 429,
        "similar_left_out_before": 0,
    }
    # The window ends (its key expires: in Redis in CI, where no fake clock reaches).
    caches[LIMITS_CACHE].delete("audit:failed:ip:203.0.113.9:429")
    for _ in range(12):
        _bad_login(api_client)
    second = entries("api_call_failed")[1]
    assert second.additional_data["similar_left_out_before"] == refused - 1


def test_another_caller_gets_its_own_entry(api_client):
    for ip in ("203.0.113.1", "203.0.113.2"):
        for _ in range(12):
            _bad_login(api_client, ip)
    assert sorted(entry.remote_addr for entry in entries("api_call_failed")) == [
        "203.0.113.1",
        "203.0.113.2",
    ]


def test_a_500_is_recorded_for_the_company(company, admin_user, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("apps.billing.views.subscription_overview", broken)
    client = client_for(admin_user)
    client.raise_request_exception = False
    response = client.get("/api/billing/subscription/")
    assert response.status_code == 500
    [entry] = entries("api_call_failed")
    assert entry.company_id == company.pk
    assert entry.actor_id == admin_user.pk
    assert entry.additional_data["status"] == 500
    assert entry.cid == response["X-Request-ID"]


def test_successful_and_client_error_calls_record_nothing(admin_client):
    admin_client.get("/api/plots/")
    admin_client.get("/api/plots/999999/")
    admin_client.post("/api/plots/", {}, format="json")
    assert entries("api_call_failed") == []
