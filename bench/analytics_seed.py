"""Bulk activity for the analytics benchmarks, written with set-based SQL (PostgreSQL):
companies with their people, estates, plots, clients, purchases (some through a
marketer, with commissions), daily API usage and activity events, spread over a range of
Lagos days. Deterministic: the same arguments give the same rows."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import connection
from django.utils import timezone

# Each company's people: 1 admin, 2 a marketer, 3 a client with an account.
PEOPLE = 3


def _lagos_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def seed(
    *,
    companies: int,
    first_day: date,
    days: int,
    estates: int = 2,
    purchases_per_company: int = 3,
    clients_per_company: int = 5,
    events_per_company_day: int = 2,
    slug_prefix: str = "bench",
) -> list[int]:
    """Returns the new companies' ids. Everything is created before ``first_day``; the
    purchases, commissions, usage and events fall inside the ``days`` from it."""
    start = _lagos_midnight(first_day)
    before = start - timedelta(days=30)
    plots = max(purchases_per_company, estates)
    with connection.cursor() as cursor:

        def run(sql: str, params: dict) -> None:
            cursor.execute(sql, params)

        p = {
            "n": companies,
            "before": before,
            "start": start,
            "days": days,
            "estates": estates,
            "plots": plots,
            "clients": clients_per_company,
            "purchases": purchases_per_company,
            "events": events_per_company_day,
            "prefix": slug_prefix,
            "people": PEOPLE,
        }
        run(
            """
            INSERT INTO companies_company (created_at, updated_at, name, slug, billing_email,
                phone, address, stripe_customer_id, stripe_subscription_id, subscription_tier,
                subscription_status, suspension_reason, cancel_at_period_end,
                cancellation_reason, max_plots, max_agents, max_api_calls_daily)
            SELECT %(before)s, %(before)s, 'Bench Realty ' || g, %(prefix)s || '-' || g,
                'billing' || g || '@bench.ng', '', '', '', '', 'professional', 'active', '',
                false, '', 500, 20, 10000
            FROM generate_series(1, %(n)s) g
            """,
            p,
        )
        cursor.execute(
            "SELECT id FROM companies_company WHERE slug LIKE %s ORDER BY id", [f"{slug_prefix}-%"]
        )
        ids = [row[0] for row in cursor.fetchall()]
        p["first_id"], p["last_id"] = ids[0], ids[-1]
        run(
            """
            INSERT INTO accounts_user (password, email, first_name, last_name, phone,
                is_superuser, is_active, is_staff, date_joined)
            SELECT '!', %(prefix)s || c.id || '-' || k || '@bench.ng', 'Person', k::text, '',
                false, true, false, %(before)s
            FROM companies_company c CROSS JOIN generate_series(1, %(people)s) k
            WHERE c.id BETWEEN %(first_id)s AND %(last_id)s
            """,
            p,
        )
        run(
            """
            INSERT INTO companies_membership (created_at, updated_at, company_id, user_id, role,
                is_active, first_name, last_name)
            SELECT %(before)s, %(before)s, c.id, u.id,
                (ARRAY['company_admin', 'marketer', 'client'])[k], true, '', ''
            FROM companies_company c CROSS JOIN generate_series(1, %(people)s) k
            JOIN accounts_user u ON u.email = %(prefix)s || c.id || '-' || k || '@bench.ng'
            WHERE c.id BETWEEN %(first_id)s AND %(last_id)s
            """,
            p,
        )
        run(
            """
            INSERT INTO marketers_marketerprofile (created_at, updated_at, user_id, phone, bio)
            SELECT %(before)s, %(before)s, u.id, '', ''
            FROM companies_company c
            JOIN accounts_user u ON u.email = %(prefix)s || c.id || '-2@bench.ng'
            WHERE c.id BETWEEN %(first_id)s AND %(last_id)s
            """,
            p,
        )
        run(
            """
            INSERT INTO marketers_marketeraffiliation (created_at, updated_at, company_id,
                marketer_id, status, commission_rate, decided_at, reason)
            SELECT %(before)s, %(before)s, c.id, m.id, 'approved', 5.00, %(before)s, ''
            FROM companies_company c
            JOIN accounts_user u ON u.email = %(prefix)s || c.id || '-2@bench.ng'
            JOIN marketers_marketerprofile m ON m.user_id = u.id
            WHERE c.id BETWEEN %(first_id)s AND %(last_id)s
            """,
            p,
        )
        run(
            """
            INSERT INTO estates_estate (created_at, updated_at, company_id, name, location,
                state, lga, description, is_active)
            SELECT %(before)s, %(before)s, c.id, 'Estate ' || k, 'Lekki', 'Lagos', 'Eti-Osa',
                '', true
            FROM companies_company c CROSS JOIN generate_series(1, %(estates)s) k
            WHERE c.id BETWEEN %(first_id)s AND %(last_id)s
            """,
            p,
        )
        # Plot k of a company lies in its estate (k div 7 mod estates): a day's purchases
        # (k apart by the days in the range) fall in several estates.
        run(
            """
            INSERT INTO estates_plot (created_at, updated_at, company_id, estate_id, plot_number,
                size_sqm, price, status)
            SELECT %(before)s, %(before)s, c.id, e.id, 'P-' || k, 300 + (k %% 7) * 50,
                1000000 + (k %% 13) * 250000, 'available'
            FROM companies_company c CROSS JOIN generate_series(1, %(plots)s) k
            JOIN LATERAL (
                SELECT id FROM estates_estate WHERE company_id = c.id ORDER BY id
                OFFSET ((k / 7) %% %(estates)s) LIMIT 1
            ) e ON true
            WHERE c.id BETWEEN %(first_id)s AND %(last_id)s
            """,
            p,
        )
        run(
            """
            INSERT INTO estates_client (created_at, updated_at, company_id, email, user_id,
                first_name, last_name, phone, address, joined_at)
            SELECT %(start)s + ((c.id * 3 + k * 5) %% %(days)s) * interval '1 day'
                    + interval '9 hours',
                %(before)s, c.id, 'client' || k || '-' || c.id || '@bench.ng',
                CASE WHEN k = 1 THEN u.id END, 'Client', k::text, '', '', NULL
            FROM companies_company c CROSS JOIN generate_series(1, %(clients)s) k
            JOIN accounts_user u ON u.email = %(prefix)s || c.id || '-3@bench.ng'
            WHERE c.id BETWEEN %(first_id)s AND %(last_id)s
            """,
            p,
        )
        run(
            """
            CREATE TEMPORARY TABLE company_clients AS
            SELECT company_id, array_agg(id ORDER BY id) AS ids FROM estates_client
            WHERE company_id BETWEEN %(first_id)s AND %(last_id)s GROUP BY company_id
            """,
            p,
        )
        # Purchase k: of plot k, by client (k mod clients), on day (company*7 + k*11) of the
        # range; through the marketer when k is odd; pending when k mod 3 = 0.
        run(
            """
            INSERT INTO estates_plotpurchase (created_at, updated_at, company_id, client_id,
                plot_id, affiliation_id, agreed_price, status, purchased_at, completed_at,
                cancelled_at, cancel_reason)
            SELECT t.at, t.at, c.id, cl.ids[1 + k %% %(clients)s], pl.id,
                CASE WHEN k %% 2 = 1 THEN a.id END, pl.price,
                CASE WHEN k %% 3 = 0 THEN 'pending' ELSE 'completed' END, t.at,
                CASE WHEN k %% 3 = 0 THEN NULL ELSE t.at + interval '1 hour' END, NULL, ''
            FROM companies_company c CROSS JOIN generate_series(1, %(purchases)s) k
            CROSS JOIN LATERAL (
                SELECT %(start)s + ((c.id * 7 + k * 11) %% %(days)s) * interval '1 day'
                    + ((c.id + k) %% 10 + 8) * interval '1 hour' AS at
            ) t
            JOIN estates_plot pl ON pl.company_id = c.id AND pl.plot_number = 'P-' || k
            JOIN company_clients cl ON cl.company_id = c.id
            JOIN marketers_marketeraffiliation a ON a.company_id = c.id
            WHERE c.id BETWEEN %(first_id)s AND %(last_id)s
            """,
            p,
        )
        run(
            """
            INSERT INTO marketers_marketerearnedcommission (created_at, updated_at, company_id,
                affiliation_id, purchase_id, rate, amount, status, approved_at, paid_at,
                payment_reference)
            SELECT pp.completed_at, pp.completed_at, pp.company_id, pp.affiliation_id, pp.id,
                5.00, round(pp.agreed_price * 0.05, 2),
                CASE WHEN pp.id %% 2 = 0 THEN 'approved' ELSE 'pending' END,
                CASE WHEN pp.id %% 2 = 0 THEN pp.completed_at + interval '2 hours' END, NULL, ''
            FROM estates_plotpurchase pp JOIN companies_company c ON c.id = pp.company_id
            WHERE c.id BETWEEN %(first_id)s AND %(last_id)s
                AND pp.status = 'completed' AND pp.affiliation_id IS NOT NULL
            """,
            p,
        )
        run(
            """
            INSERT INTO usage_usagerecord (created_at, updated_at, company_id, day, api_calls)
            SELECT %(before)s, %(before)s, c.id, (%(start)s + d * interval '1 day')::date,
                (c.id * 31 + d * 17) %% 5000
            FROM companies_company c CROSS JOIN generate_series(0, %(days)s - 1) d
            WHERE c.id BETWEEN %(first_id)s AND %(last_id)s
            """,
            p,
        )
        # Events: a client's plot views, logins, estate views, searches and exports.
        run(
            """
            INSERT INTO analytics_analyticsevent (event_id, company_id, user_id, role, kind,
                object_id, occurred_at, metadata)
            SELECT gen_random_uuid(), c.id, u.id, 'client',
                (ARRAY['plot_view', 'login', 'plot_view', 'estate_view', 'search', 'export'])
                    [1 + (c.id + d + e) %% 6],
                NULL,
                %(start)s + d * interval '1 day' + ((c.id + e * 5) %% 14 + 7) * interval '1 hour',
                '{}'::jsonb
            FROM companies_company c
            CROSS JOIN generate_series(0, %(days)s - 1) d
            CROSS JOIN generate_series(1, %(events)s) e
            JOIN accounts_user u ON u.email = %(prefix)s || c.id || '-3@bench.ng'
            WHERE c.id BETWEEN %(first_id)s AND %(last_id)s
            """,
            p,
        )
        cursor.execute("DROP TABLE company_clients")
        cursor.execute("ANALYZE")
    return ids
