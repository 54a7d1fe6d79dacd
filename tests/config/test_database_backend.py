"""The PostgreSQL backend (config.db.postgresql): a kept connection is health-checked only
after sitting idle, and the queries a caller asks for are prepared on the server."""

from datetime import timedelta

import pytest
from django.db import connection, connections
from django.db.backends.postgresql.psycopg_any import register_tzloader
from psycopg.pq import Format

from config.db.postgresql.base import (
    HEALTH_CHECK_AFTER_IDLE,
    TIMESTAMPTZ_OID,
    UTC_SESSION_TIMESTAMPTZ_LOADER,
)
from tests.conftest import client_for
from tests.estates.factories import EstateFactory, PlotFactory
from tests.estates.sales import make_sale

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def kept():
    """A connection of its own (autocommit, outside the test's transaction), kept between
    "requests" as a server keeps it, with its health checks counted."""
    wrapper = connections.create_connection("default")
    wrapper.ensure_connection()
    wrapper.close_at = None  # never too old here
    wrapper.checks = 0
    is_usable = wrapper.is_usable

    def counted():
        wrapper.checks += 1
        return is_usable()

    wrapper.is_usable = counted
    yield wrapper
    wrapper.close()


def request(wrapper, sql="SELECT 1"):
    """A request reading the database, as Django's handler frames it."""
    wrapper.close_if_unusable_or_obsolete()
    with wrapper.cursor() as cursor:
        cursor.execute(sql)
        (value,) = cursor.fetchone()
    wrapper.close_if_unusable_or_obsolete()
    return value


def test_a_connection_used_moments_ago_is_not_checked_again(kept):
    request(kept)
    request(kept)
    request(kept)
    assert kept.checks == 0


def test_a_connection_idle_for_a_while_is_checked_before_use(kept):
    request(kept)
    kept.last_healthy_at -= HEALTH_CHECK_AFTER_IDLE + 1
    request(kept)
    assert kept.checks == 1
    request(kept)  # used again just now
    assert kept.checks == 1


def test_a_connection_closed_by_the_server_while_idle_is_replaced(kept):
    request(kept)
    pid = kept.connection.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    kept.last_healthy_at -= HEALTH_CHECK_AFTER_IDLE + 1
    assert request(kept, "SELECT pg_backend_pid()") != pid
    assert kept.checks == 1


def test_a_failed_query_is_no_sign_of_health(kept):
    request(kept)
    kept.last_healthy_at -= HEALTH_CHECK_AFTER_IDLE + 1
    aged = kept.last_healthy_at
    kept.close_if_unusable_or_obsolete()  # a request starts
    with pytest.raises(Exception), kept.cursor() as cursor:  # noqa: B017
        cursor.execute("SELECT * FROM no_such_table")
    kept.close_if_unusable_or_obsolete()  # and ends with an error
    # Checked before its query (idle), and again by Django after the error; the failed
    # request itself did not count as a healthy use.
    assert kept.checks == 2
    assert kept.last_healthy_at == aged


def prepared(wrapper):
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return {statement for (statement,) in cursor.fetchall()}


def test_queries_are_prepared_only_when_asked(kept):
    with kept.cursor() as cursor:
        cursor.execute("SELECT %s::int + 1", [1])
    assert prepared(kept) == set()
    with kept.prepared_statements():
        for number in (1, 2):
            with kept.cursor() as cursor:
                cursor.execute("SELECT %s::int + 2", [number])
                assert cursor.fetchone() == (number + 2,)
        with kept.prepared_statements(enabled=False), kept.cursor() as cursor:
            cursor.execute("SELECT %s::int + 3", [1])
    assert prepared(kept) == {"SELECT $1::int + 2"}


def plans_used(statement_part):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(generic_plans + custom_plans), 0) FROM pg_prepared_statements"
            " WHERE statement LIKE %s",
            [f"%{statement_part}%"],
        )
        return cursor.fetchone()[0]


def test_a_plain_list_page_is_prepared_a_filtered_one_and_its_count_are_not(admin_client, company):
    estate = EstateFactory(company=company, name="Lekki Pearl")
    PlotFactory(estate=estate, plot_number="A-1")
    page, count = '"estates_plot"."plot_number" AS "plot_number"', 'COUNT(*) AS "__count"'
    before = plans_used(page), plans_used(count)
    assert admin_client.get("/api/plots/", {"nocache": "1"}).status_code == 200
    assert admin_client.get("/api/plots/", {"cursor": "", "nocache": "1"}).status_code == 200
    assert (plans_used(page), plans_used(count)) == (before[0] + 2, before[1])
    assert admin_client.get("/api/plots/", {"status": "available"}).status_code == 200
    assert admin_client.get("/api/plots/", {"search": "lekki"}).status_code == 200
    assert (plans_used(page), plans_used(count)) == (before[0] + 2, before[1])


def test_a_buyers_own_purchases_are_not_read_by_a_prepared_plan(admin_client, company):
    sale = make_sale(company)
    before = plans_used("estates_plotpurchase")
    assert admin_client.get("/api/purchases/").json()["count"] == 1
    assert plans_used("estates_plotpurchase") == before + 1
    assert client_for(sale.client.user).get("/api/purchases/").json()["count"] == 1
    assert plans_used("estates_plotpurchase") == before + 1


def test_prepared_statements_can_be_turned_off(kept, settings):
    settings.DB_PREPARED_STATEMENTS = False
    with kept.prepared_statements(), kept.cursor() as cursor:
        cursor.execute("SELECT %s::int + 4", [1])
    assert prepared(kept) == set()


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-28 04:00:00.123456+01",
        "1999-12-31 23:59:59-05:30",
        "2000-02-29 00:00:00+00",
        "0001-01-01 00:00:00+00",
        "9999-12-31 23:59:59.999999+00",
    ],
)
def test_timestamps_load_as_djangos_own_loader_loads_them(kept, text):
    with kept.cursor() as cursor:
        loader = cursor.cursor.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
        cursor.execute("SELECT %s::timestamptz", [text])
        (fast,) = cursor.fetchone()
    with kept.cursor() as cursor:
        register_tzloader(kept.timezone, cursor.cursor)  # Django's, as Django sets it
        cursor.execute("SELECT %s::timestamptz", [text])
        (djangos,) = cursor.fetchone()
    assert loader is UTC_SESSION_TIMESTAMPTZ_LOADER
    assert fast == djangos
    assert fast.isoformat() == djangos.isoformat()
    assert fast.utcoffset() == djangos.utcoffset() == timedelta(0)


def test_without_time_zones_django_loads_timestamps(kept, settings):
    settings.USE_TZ = False
    for name in ("timezone", "timezone_name"):  # as Django does for its own connections
        kept.__dict__.pop(name, None)
    kept.ensure_timezone()
    with kept.cursor() as cursor:
        cursor.execute("SELECT '2026-11-28 04:00:00+01'::timestamptz")
        (value,) = cursor.fetchone()
    assert value.tzinfo is None  # Django's loader: the zone chopped
