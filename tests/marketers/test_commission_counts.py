"""The commission list's total is cached per filter, and each write to commissions is
seen in it by the very next read."""

import pytest

from tests.estates.sales import make_sale
from tests.marketers.factories import AffiliationFactory

pytestmark = pytest.mark.django_db

LIST = "/api/commissions/"


def count(client, query=""):
    return client.get(f"{LIST}?{query}").json()["count"]


def test_earning_and_approving_are_seen_in_the_next_totals(
    admin_client, company, commit, django_assert_max_num_queries
):
    affiliation = AffiliationFactory(company=company)
    with commit():
        make_sale(company, affiliation=affiliation)
    assert count(admin_client) == 1
    assert count(admin_client, "status=pending") == 1
    with django_assert_max_num_queries(1) as queries:  # the page: the total is cached
        assert count(admin_client, "status=pending") == 1
    assert not any("COUNT(" in query["sql"] for query in queries.captured_queries)

    with commit():
        make_sale(company, affiliation=affiliation)
    assert count(admin_client) == 2
    commission_id = admin_client.get(LIST).json()["results"][0]["id"]
    with commit():
        approved = admin_client.post(f"{LIST}{commission_id}/approve/", format="json")
    assert approved.status_code == 200
    assert count(admin_client, "status=pending") == 1
    assert count(admin_client, "status=approved") == 1
