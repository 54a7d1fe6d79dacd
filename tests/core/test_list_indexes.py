"""Each big list's page query, as the view runs it, is answered from its index on
PostgreSQL: no sort of the company's rows, first page or deep cursor alike."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.estates.models import Client, Plot, PlotPurchase
from apps.marketers.models import MarketerAffiliation, MarketerEarnedCommission
from tests.companies.factories import CompanyFactory
from tests.estates.factories import EstateFactory
from tests.marketers.factories import AffiliationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

ROWS = 3000


def fill(company) -> None:
    """ROWS plots in three estates (prices repeating), each sold once (cancelled, so
    nothing is live) with a commission, written by PostgreSQL itself for speed."""
    estates = [EstateFactory(company=company).pk for _ in range(3)]
    client = Client.objects.create(company=company, email=f"buyer{company.pk}@example.ng")
    affiliation = AffiliationFactory(company=company)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO estates_plot (company_id, estate_id, plot_number, size_sqm, price,
                                      status, created_at, updated_at)
            SELECT %(company)s, (%(estates)s)[1 + n %% 3], 'P-' || lpad(n::text, 6, '0'),
                   450, 1000 + n %% 7, 'available', now(), now()
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


@pytest.fixture
def catalogue(company):
    # Other companies' rows too, as in production: the company is what the index narrows.
    for owner in (company, *(CompanyFactory() for _ in range(2))):
        fill(owner)
    with connection.cursor() as cursor:
        for model in (Plot, PlotPurchase, MarketerEarnedCommission, MarketerAffiliation):
            cursor.execute(f"ANALYZE {model._meta.db_table}")


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
        ("/api/purchases/", "estates_plotpurchase", "purchase_list_order"),
        ("/api/commissions/", "marketers_marketerearnedcommission", "commission_list_order"),
        ("/api/affiliations/", "marketers_marketeraffiliation", "affiliation_list_order"),
    ],
)
def test_each_list_reads_its_page_from_its_index(admin_client, catalogue, url, table, index):
    plan = page_query_plan(admin_client, url, table)
    assert index in plan, plan
    assert "Sort" not in plan, plan


@pytest.mark.parametrize(
    ("url", "table", "index"),
    [
        ("/api/plots/?page_size=100", "estates_plot", "plot_list_order"),
        ("/api/plots/?ordering=price&page_size=100", "estates_plot", "plot_price_order"),
        ("/api/purchases/?page_size=100", "estates_plotpurchase", "purchase_list_order"),
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
    plan = page_query_plan(admin_client, deepest_cursor(admin_client, url), table)
    assert index in plan, plan
    assert "Sort" not in plan, plan
    # The cursor's row comparison bounds the index scan (no walk from the first row).
    lines = plan.splitlines()
    scan = next(n for n, line in enumerate(lines) if f"using {index} on" in line)
    assert "Index Cond" in lines[scan + 1] and "ROW(" in lines[scan + 1], plan
