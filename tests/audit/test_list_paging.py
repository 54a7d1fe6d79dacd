"""The trail's list pages by cursor (newest first, every entry once) and by page number
with a total that is not counted on every page: unfiltered it is the chain's position,
filtered it is counted once per position and kept."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.audit.services import audit_retention_apply
from apps.core.pagination import encode_cursor
from tests.companies.factories import CompanyFactory, MembershipFactory
from tests.conftest import client_for
from tests.estates.factories import EstateFactory, PlotFactory

pytestmark = pytest.mark.django_db

LOGS = "/api/audit/logs/"


def counts(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]


def newest_first(company) -> list[int]:
    return list(
        AuditEntry.objects.filter(company_id=company.pk)
        .order_by("-timestamp", "-id")
        .values_list("pk", flat=True)
    )


@pytest.fixture
def trail(company):
    estate = EstateFactory(company=company)
    for _ in range(6):
        PlotFactory(company=company, estate=estate)
    PlotFactory(company=CompanyFactory())  # another company's entries: never counted
    return company


def test_cursor_pages_cover_every_entry_once_newest_first_and_walk_back(trail, admin_user):
    client = client_for(admin_user)
    seen, pages = [], []
    url = f"{LOGS}?page_size=3&cursor="
    while url:
        body = client.get(url).json()
        assert "count" not in body
        pages.append([item["id"] for item in body["results"]])
        seen += pages[-1]
        url = body["next"]
    assert seen == newest_first(trail)

    # Back from the last page, page by page, to the first.
    back = []
    body = client.get(f"{LOGS}?page_size=3&cursor=").json()
    while body["next"]:
        body = client.get(body["next"]).json()
    while body["previous"]:
        body = client.get(body["previous"]).json()
        back.append([item["id"] for item in body["results"]])
    assert back == pages[-2::-1]


def test_a_cursor_made_for_another_list_is_a_400(trail, admin_user):
    client = client_for(admin_user)
    plots_next = client.get("/api/plots/?page_size=1&cursor=").json()["next"]
    token = plots_next.split("cursor=")[1].split("&")[0]
    response = client.get(LOGS, {"cursor": token})
    assert response.status_code == 400
    assert "cursor" in response.json()["error"]["details"]


def test_the_unfiltered_total_is_the_chains_position_never_counted(trail, admin_user):
    client = client_for(admin_user)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(LOGS, {"page_size": 2, "page": 2}).json()
    assert body["count"] == len(newest_first(trail))
    assert counts(queries) == []

    PlotFactory(company=trail)
    assert client.get(LOGS).json()["count"] == len(newest_first(trail))


def test_the_total_after_retention_deleted_the_oldest():
    with time_machine.travel(timezone.now() - timedelta(days=200), tick=False):
        company = CompanyFactory(subscription_tier="starter")  # keeps 90 days
        PlotFactory(company=company)
    PlotFactory(company=company)
    client = client_for(MembershipFactory(company=company, role="company_admin").user)
    before = client.get(LOGS).json()["count"]

    audit_retention_apply()

    kept = len(newest_first(company))
    assert 0 < kept < before
    assert client.get(LOGS).json()["count"] == kept


def test_a_filtered_total_is_counted_once_until_the_trail_moves(trail, admin_user):
    client = client_for(admin_user)
    params = {"action": "create", "model": "estates.plot", "page_size": 2}
    assert client.get(LOGS, params).json()["count"] == 6
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LOGS, {**params, "page": 2}).json()["count"] == 6
    assert counts(queries) == []

    PlotFactory(company=trail)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LOGS, params).json()["count"] == 7
    assert len(counts(queries)) == 1
    # Another filter is its own total.
    assert client.get(LOGS, {"action": "create", "model": "estates.estate"}).json()["count"] == 1


def test_a_cursor_of_a_moment_utc_cannot_hold_is_a_400(trail, admin_user):
    cursor = encode_cursor("-timestamp,-id", ["9999-12-31T23:59:59-23:59", 1])
    response = client_for(admin_user).get(LOGS, {"cursor": cursor})
    assert response.status_code == 400
    assert "cursor" in response.json()["error"]["details"]
