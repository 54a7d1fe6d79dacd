"""Every list orders its rows by a unique key last (the id), whatever ordering the caller
asks for: pages never repeat nor skip rows of equal value. Every list route is walked: a
new one fails here until the tenant-isolation walk (or OWN_LISTS) can make its rows."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve

from apps.marketers.models import MarketerAffiliation
from tests.companies.factories import CompanyFactory, MembershipFactory
from tests.conftest import client_for
from tests.integration.routes import api_routes
from tests.integration.test_tenant_isolation import MODELS, OBJECT_FACTORIES, _resource
from tests.marketers.factories import AffiliationFactory

pytestmark = pytest.mark.django_db

LISTS = [r for r in api_routes() if r.name.endswith("-list")]


def marketers_own(company):
    """The caller of a marketer's own list, after one affiliation of theirs."""
    affiliation = AffiliationFactory(company=company)
    return affiliation.marketer.user, MarketerAffiliation


# Lists not of the company's objects as an admin sees them: their caller and model.
OWN_LISTS = {"my-affiliation-list": marketers_own}


def orderings(path: str) -> list[str]:
    """The list's default ordering (no parameter) and each offered one, either way."""
    view = resolve(path).func.cls
    fields = getattr(view, "ordering_fields", None) or []
    return ["", *(f"{sign}{field}" for field in fields for sign in ("", "-"))]


def top_level(sql: str) -> list[str]:
    """``sql``'s comma-separated parts outside parentheses."""
    parts, depth, start = [], 0, 0
    for n, char in enumerate(sql):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(sql[start:n].strip())
            start = n + 1
    return [*parts, sql[start:].strip()]


def last_order_terms(queries, table: str) -> list[str]:
    """The last ORDER BY term of each query that read a page of ``table``, a column
    number (as ``values()`` queries order) replaced by the column."""
    pattern = re.compile(rf'SELECT (.+?) FROM "{table}".*ORDER BY (.+?) LIMIT', re.DOTALL)  # noqa: S608 - a regex, not a query
    terms = []
    for query in queries.captured_queries:
        if match := pattern.search(query["sql"]):
            columns, order = match.groups()
            term, _, direction = top_level(order)[-1].rpartition(" ")
            if term.isdigit():
                term = top_level(columns)[int(term) - 1].partition(" AS ")[0]
            terms.append(f"{term} {direction}")
    return terms


def test_every_list_is_walked():
    assert len(LISTS) >= 14
    for route in LISTS:
        assert route.name in OWN_LISTS or _resource(route) in OBJECT_FACTORIES, route


@pytest.mark.parametrize("route", LISTS, ids=str)
def test_every_ordering_of_every_list_ends_with_the_id(route):
    company = CompanyFactory()
    if route.name in OWN_LISTS:
        caller, model = OWN_LISTS[route.name](company)
    else:
        caller = MembershipFactory(company=company, role="company_admin").user
        OBJECT_FACTORIES[_resource(route)](company)
        model = MODELS[_resource(route)]
    table = model._meta.db_table
    client = client_for(caller)

    for ordering in orderings(route.path()):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(route.path(), {"ordering": ordering} if ordering else {})
        assert response.status_code == 200, (ordering, response.content)
        terms = last_order_terms(queries, table)
        assert terms, f"{route.template}?ordering={ordering}: no page query read {table}"
        for term in terms:
            assert re.fullmatch(rf'"{table}"\."id" (ASC|DESC)', term), (ordering, term)
