"""The embedded default (SQLite) under concurrent requests: never a 500 (issue 8).

Each test points the default database at a file-backed copy of the test database, as
`make run` uses it: every thread opens its own connection to the file, with the settings'
options (WAL, IMMEDIATE transactions, the busy timeout). The in-memory test database
cannot show this: its connections share one cache and lock tables, not the file.
"""

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client as DjangoClient
from rest_framework.test import APIClient

from apps.accounts.services import issue_token_pair
from apps.companies.models import Company
from apps.core.errors import DATABASE_BUSY_RETRY_AFTER
from apps.estates.models import Client, Estate, Plot, PlotPurchase, PlotStatus
from tests.accounts.factories import UserFactory
from tests.companies.factories import CompanyFactory, MembershipFactory
from tests.concurrency import run_together as run_all_together
from tests.estates.factories import ClientFactory, EstateFactory, PlotFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # Flushed away by earlier transactional tests; purchases and plots read the plans.
    pytest.mark.usefixtures("plan_catalogue"),
]


@contextmanager
def default_database_in_file(path: Path, **options: Any) -> Iterator[None]:
    """Until the block ends, every connection to "default" (this thread's and any new
    thread's) opens ``path``, a copy of the migrated test database, with the settings'
    OPTIONS updated by ``options``."""
    memory = connections["default"]
    memory.ensure_connection()
    with closing(sqlite3.connect(path)) as target:
        memory.connection.backup(target)
    original = connections.settings["default"]
    connections.settings["default"] = {
        **original,
        "NAME": str(path),
        "OPTIONS": {**original.get("OPTIONS", {}), **options},
    }
    connections["default"] = connections.create_connection("default")
    try:
        yield
    finally:
        connections["default"].close()
        connections["default"] = memory
        connections.settings["default"] = original


@pytest.fixture
def file_database(tmp_path: Path) -> Iterator[Path]:
    if connection.vendor != "sqlite":
        pytest.skip("the embedded default's concurrency is SQLite's; PostgreSQL has its own tests")
    path = tmp_path / "db.sqlite3"
    with default_database_in_file(path):
        yield path


def run_together(calls: list[Callable[[], Any]]) -> list[Any]:
    """Each call in its own thread (its own connection), all released at once; their
    results, every call having succeeded."""
    outcomes = run_all_together(*calls)
    assert [outcome.error for outcome in outcomes if not outcome.ok] == []
    return [outcome.value for outcome in outcomes]


def company_admin() -> tuple[Company, Callable[[], APIClient]]:
    """A company, and a maker of API clients (one per thread) signed in as its admin."""
    company = CompanyFactory()
    access = issue_token_pair(MembershipFactory(company=company).user).access
    return company, lambda: APIClient(HTTP_AUTHORIZATION=f"Bearer {access}")


def test_the_file_is_used_as_the_embedded_default_configures_it(file_database):
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal_mode = cursor.fetchone()[0]
        cursor.execute("PRAGMA database_list")
        database_file = cursor.fetchone()[2]
    assert journal_mode == "wal"
    assert database_file == str(file_database)
    assert connection.transaction_mode == "IMMEDIATE"


def test_eight_simultaneous_sales_of_one_plot_are_one_201_and_seven_409s(file_database):
    company, admin = company_admin()
    plot = PlotFactory(estate=EstateFactory(company=company))
    buyers = [ClientFactory(company=company) for _ in range(8)]

    responses = run_together(
        [
            lambda buyer=buyer: admin().post(
                "/api/purchases/", {"plot": plot.pk, "client": buyer.pk}, format="json"
            )
            for buyer in buyers
        ]
    )

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * 7, [response.content for response in responses]
    refused = [response.json()["error"] for response in responses if response.status_code == 409]
    assert {error["code"] for error in refused} == {"plot_unavailable"}
    assert PlotPurchase.objects.filter(plot=plot).count() == 1
    plot.refresh_from_db()
    assert plot.status == PlotStatus.SOLD


def test_simultaneous_changes_to_company_plots_clients_and_estates_all_succeed(file_database):
    company, admin = company_admin()
    estate = EstateFactory(company=company)
    plot = PlotFactory(estate=estate)
    client = ClientFactory(company=company)
    rounds = range(4)

    def patch_company(i: int) -> Any:
        return admin().patch("/api/company/", {"phone": f"0803 000 000{i}"}, format="json")

    def patch_plot(i: int) -> Any:
        body = {"price": f"{6_000_000 + i}.00"}
        return admin().patch(f"/api/plots/{plot.pk}/", body, format="json")

    def post_client(i: int) -> Any:
        body = {"email": f"buyer{i}@example.ng", "first_name": f"Buyer {i}"}
        return admin().post("/api/clients/", body, format="json")

    def put_client(i: int) -> Any:
        body = {
            "first_name": f"Ada {i}",
            "last_name": "Obi",
            "phone": "0803 123 4567",
            "address": "Lekki",
        }
        return admin().put(f"/api/clients/{client.pk}/", body, format="json")

    def put_estate(i: int) -> Any:
        body = {
            "name": f"Renamed {i}",
            "location": "Epe",
            "state": "Lagos",
            "lga": "Epe",
            "description": "",
            "is_active": True,
        }
        return admin().put(f"/api/estates/{estate.pk}/", body, format="json")

    operations = [patch_company, patch_plot, post_client, put_client, put_estate]
    calls = [lambda op=op, i=i: op(i) for op in operations for i in rounds]

    responses = run_together(calls)

    assert [response.status_code for response in responses] == [200] * 8 + [201] * 4 + [200] * 8, [
        response.content for response in responses
    ]
    company.refresh_from_db()
    assert company.phone in {f"+234803000000{i}" for i in rounds}
    assert Plot.objects.get(pk=plot.pk).price in {Decimal(6_000_000 + i) for i in rounds}
    assert Client.objects.filter(company=company, email__startswith="buyer").count() == 4
    assert Client.objects.get(pk=client.pk).first_name in {f"Ada {i}" for i in rounds}
    assert Estate.objects.get(pk=estate.pk).name in {f"Renamed {i}" for i in rounds}


# --- a lock held past the busy timeout ---------------------------------------------------------


@contextmanager
def write_lock_held(path: Path) -> Iterator[None]:
    """Another connection holds the database's write lock until the block ends."""
    with closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")


@pytest.fixture
def impatient_file_database(tmp_path: Path) -> Iterator[Path]:
    """A file database whose writers give up at once on a held lock (busy timeout 0)."""
    if connection.vendor != "sqlite":
        pytest.skip("only SQLite gives up on a lock")
    path = tmp_path / "db.sqlite3"
    with default_database_in_file(path, timeout=0):
        yield path


def test_a_write_that_outwaits_the_busy_timeout_is_a_503_with_retry_after(impatient_file_database):
    company, admin = company_admin()
    old_name = company.name

    with write_lock_held(impatient_file_database):
        response = admin().patch("/api/company/", {"name": "Renamed Realty"}, format="json")

    assert response.status_code == 503, response.content
    assert response["Retry-After"] == str(DATABASE_BUSY_RETRY_AFTER)
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {
        "error": {
            "code": "database_busy",
            "message": "The database is busy with other changes; try again in a moment.",
            "details": {"retry_after": DATABASE_BUSY_RETRY_AFTER},
        }
    }
    company.refresh_from_db()
    assert company.name == old_name
    # Once the lock is gone the same request goes through.
    retried = admin().patch("/api/company/", {"name": "Renamed Realty"}, format="json")
    assert retried.status_code == 200
    company.refresh_from_db()
    assert company.name == "Renamed Realty"


def test_the_admin_meeting_a_held_lock_is_a_503_with_retry_after(impatient_file_database):
    estate = EstateFactory()
    staff = DjangoClient()
    staff.force_login(UserFactory(is_staff=True, is_superuser=True))
    change_page = f"/admin/estates/estate/{estate.pk}/change/"
    form = {
        "company": estate.company_id,
        "name": "Renamed in the admin",
        "location": estate.location,
        "state": estate.state,
        "lga": estate.lga,
        "description": "",
        "is_active": "on",
    }

    with write_lock_held(impatient_file_database):
        response = staff.post(change_page, form)

    assert response.status_code == 503
    assert response["Retry-After"] == str(DATABASE_BUSY_RETRY_AFTER)
    assert response["Content-Type"].startswith("text/plain")
    estate.refresh_from_db()
    assert estate.name != form["name"]
    assert staff.post(change_page, form).status_code == 302
    estate.refresh_from_db()
    assert estate.name == form["name"]
