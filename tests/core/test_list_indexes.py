"""Each big list's page query, as the view runs it, is answered from its index on
PostgreSQL: no sort of the company's rows, first page or deep cursor alike."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.audit.models import AuditEntry
from apps.estates.models import Client, Plot, PlotPurchase
from apps.marketers.models import MarketerAffiliation, MarketerEarnedCommission
from tests.companies.factories import CompanyFactory
from tests.estates.factories import EstateFactory
from tests.marketers.factories import AffiliationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

ROWS = 3000


def fill(company) -> list[int]:
    """ROWS plots in three estates (prices and sizes repeating), each sold once
    (cancelled, so nothing is live) with a commission, ROWS / 5 marketers applying, ROWS
    clients and ROWS audit entries, written by PostgreSQL itself for speed; the estates'
    ids."""
    estates = [EstateFactory(company=company).pk for _ in range(3)]
    client = Client.objects.create(company=company, email=f"buyer{company.pk}@example.ng")
    affiliation = AffiliationFactory(company=company)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO estates_plot (company_id, estate_id, plot_number, size_sqm, price,
                                      status, created_at, updated_at)
            SELECT %(company)s, (%(estates)s)[1 + n %% 3], 'P-' || lpad(n::text, 6, '0'),
                   300 + n %% 5, 1000 + n %% 7, 'available',
                   now() - (n %% 400) * interval '1 minute', now()
            FROM generate_series(1, %(rows)s) AS n
            """,
            {"company": company.pk, "estates": estates, "rows": ROWS},
        )
        cursor.execute(
            """
            INSERT INTO estates_plotpurchase (company_id, client_id, plot_id, agreed_price,
                status, purchased_at, cancel_reason, created_at, updated_at)
            SELECT company_id, %(client)s, id, price, 'cancelled',
                   now() - (id %% 500) * interval '1 minute', '', now(), now()
            FROM estates_plot WHERE company_id = %(company)s
            """,
            {"company": company.pk, "client": client.pk},
        )
        cursor.execute(
            """
            INSERT INTO marketers_marketerearnedcommission (company_id, affiliation_id,
                purchase_id, rate, amount, status, payment_reference, created_at, updated_at)
            SELECT company_id, %(affiliation)s, id, 5, 50, 'cancelled', '',
                   now() - (id %% 700) * interval '1 second', now()
            FROM estates_plotpurchase WHERE company_id = %(company)s
            """,
            {"company": company.pk, "affiliation": affiliation.pk},
        )
        # And marketers applying: users, their profiles, their affiliations.
        cursor.execute(
            """
            WITH users AS (
                INSERT INTO accounts_user (password, is_superuser, email, first_name,
                    last_name, phone, is_active, is_staff, date_joined)
                SELECT '!', false, 'm' || %(company)s || '-' || n || '@example.ng', '', '',
                       '', true, false, now()
                FROM generate_series(1, %(rows)s) AS n RETURNING id
            ), profiles AS (
                INSERT INTO marketers_marketerprofile (user_id, phone, bio, created_at,
                    updated_at)
                SELECT id, '', '', now(), now() FROM users RETURNING id
            )
            INSERT INTO marketers_marketeraffiliation (company_id, marketer_id, status,
                reason, created_at, updated_at)
            SELECT %(company)s, id, 'pending', '', now() - (id %% 300) * interval '1 second',
                   now()
            FROM profiles
            """,
            {"company": company.pk, "rows": ROWS // 5},
        )
        cursor.execute(
            """
            INSERT INTO estates_client (company_id, email, first_name, last_name, phone,
                address, created_at, updated_at)
            SELECT %(company)s, 'c' || %(company)s || '-' || n || '@example.ng', '', '', '',
                   '', now() - (n %% 600) * interval '1 second', now()
            FROM generate_series(1, %(rows)s) AS n
            """,
            {"company": company.pk, "rows": ROWS},
        )
        # Numbered past the factories' entries, so each chain's numbers stay unique.
        cursor.execute(
            """
            INSERT INTO audit_auditentry (company_id, chain, seq, prev_hash, entry_hash,
                object_repr, changes_text, object_pk, action, timestamp, actor_kind,
                user_agent)
            SELECT %(company)s, %(company)s, 1000000 + n, '', '', 'plot', '', n::text, 1,
                   now() - (n %% 900) * interval '1 second', 'system', ''
            FROM generate_series(1, %(rows)s) AS n
            """,
            {"company": company.pk, "rows": ROWS},
        )
    return estates


TABLES = (Plot, PlotPurchase, Client, MarketerEarnedCommission, MarketerAffiliation, AuditEntry)


@pytest.fixture
def catalogue(company):
    """The company's estates' ids, after filling it and two others."""
    # Other companies' rows too, as in production: the company is what the index narrows.
    estates = fill(company)
    for _ in range(2):
        fill(CompanyFactory())
    with connection.cursor() as cursor:
        for model in TABLES:
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    return estates


def page_query_plan(client, url: str, table: str) -> str:
    """The plan of the query that read the page of ``table`` for ``url``."""
    cache.clear()  # the page itself, not its cached copy
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    [sql] = [
        query["sql"]
        for query in queries.captured_queries
        if f'FROM "{table}"' in query["sql"] and "LIMIT" in query["sql"]
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return plan


def deepest_cursor(client, url: str) -> str:
    next_url = client.get(f"{url}&cursor=").json()["next"]
    while True:
        body = client.get(next_url).json()
        if body["next"] is None:
            return next_url
        next_url = body["next"]


@pytest.mark.parametrize(
    ("url", "table", "index"),
    [
        ("/api/plots/", "estates_plot", "plot_list_order"),
        ("/api/plots/?ordering=price", "estates_plot", "plot_price_order"),
        ("/api/plots/?ordering=-price", "estates_plot", "plot_price_order"),
        ("/api/plots/?ordering=size_sqm", "estates_plot", "plot_size_order"),
        ("/api/plots/?ordering=-plot_number", "estates_plot", "plot_number_order"),
        ("/api/plots/?ordering=-created_at", "estates_plot", "plot_created_order"),
        ("/api/plots/?estate={estate}", "estates_plot", "plot_list_order"),
        ("/api/plots/?status=available", "estates_plot", "plot_list_order"),
        ("/api/purchases/", "estates_plotpurchase", "purchase_list_order"),
        ("/api/purchases/?status=cancelled", "estates_plotpurchase", "purchase_list_order"),
        ("/api/purchases/?ordering=agreed_price", "estates_plotpurchase", "purchase_price_order"),
        ("/api/commissions/", "marketers_marketerearnedcommission", "commission_list_order"),
        (
            "/api/commissions/?status=cancelled",
            "marketers_marketerearnedcommission",
            "commission_list_order",
        ),
        (
            "/api/commissions/?ordering=-amount",
            "marketers_marketerearnedcommission",
            "commission_amount_order",
        ),
        ("/api/affiliations/", "marketers_marketeraffiliation", "affiliation_list_order"),
        ("/api/clients/", "estates_client", "client_list_order"),
        ("/api/clients/?ordering=created_at", "estates_client", "client_list_order"),
        ("/api/audit/logs/", "audit_auditentry", "audit_company_time"),
    ],
)
def test_each_list_reads_its_page_from_its_index(admin_client, catalogue, url, table, index):
    # A filter by status reads the order's index and checks each row: most rows pass.
    plan = page_query_plan(admin_client, url.format(estate=catalogue[1]), table)
    assert index in plan, plan
    assert "Sort" not in plan, plan


@pytest.mark.parametrize(
    ("url", "table", "index"),
    [
        ("/api/plots/?page_size=100", "estates_plot", "plot_list_order"),
        ("/api/plots/?ordering=price&page_size=100", "estates_plot", "plot_price_order"),
        ("/api/plots/?ordering=-size_sqm&page_size=100", "estates_plot", "plot_size_order"),
        ("/api/plots/?estate={estate}&page_size=100", "estates_plot", "plot_list_order"),
        ("/api/purchases/?page_size=100", "estates_plotpurchase", "purchase_list_order"),
        (
            "/api/purchases/?ordering=-agreed_price&page_size=100",
            "estates_plotpurchase",
            "purchase_price_order",
        ),
        (
            "/api/commissions/?page_size=100",
            "marketers_marketerearnedcommission",
            "commission_list_order",
        ),
    ],
)
def test_the_deepest_cursor_starts_in_the_index_where_the_page_begins(
    admin_client, catalogue, url, table, index
):
    url = url.format(estate=catalogue[1])
    plan = page_query_plan(admin_client, deepest_cursor(admin_client, url), table)
    assert index in plan, plan
    assert "Sort" not in plan, plan
    # The cursor's row comparison bounds the index scan (no walk from the first row).
    lines = plan.splitlines()
    scan = next(n for n, line in enumerate(lines) if f"using {index} on" in line)
    assert "Index Cond" in lines[scan + 1] and "ROW(" in lines[scan + 1], plan


def test_the_trails_cursor_pages_start_in_its_index(admin_client, catalogue):
    """The trail's page joins its entries' model names, so on its last few rows the
    planner sorts those rows after the join; a page with many rows after it reads them
    in the index's order from the cursor on."""
    first = admin_client.get("/api/audit/logs/?page_size=100&cursor=").json()
    plan = page_query_plan(admin_client, first["next"], "audit_auditentry")
    assert "audit_company_time" in plan, plan
    assert "Sort" not in plan, plan
    lines = plan.splitlines()
    scan = next(n for n, line in enumerate(lines) if "using audit_company_time on" in line)
    assert "Index Cond" in lines[scan + 1] and "ROW(" in lines[scan + 1], plan
