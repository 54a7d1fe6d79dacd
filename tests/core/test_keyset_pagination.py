"""Keyset pages (?cursor=) and the tie-breaking order, through the plot and purchase lists."""

from decimal import Decimal

import pytest

from apps.core.pagination import encode_cursor
from tests.estates.factories import EstateFactory, PlotFactory
from tests.estates.sales import make_sale

pytestmark = pytest.mark.django_db


@pytest.fixture
def plots(company):
    # Three estates, and many plots of one price: the orderings have ties to break.
    estates = [EstateFactory(company=company) for _ in range(3)]
    prices = [Decimal("100.00"), Decimal("200.00"), Decimal("100.00"), Decimal("300.00")]
    return [
        PlotFactory(estate=estates[n % 3], price=prices[n % 4], plot_number=f"A-{n % 5}-{n}")
        for n in range(23)
    ]


def walk(client, url, link="next"):
    """Every page from ``url``, following ``link``: the ids, page by page."""
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        assert "count" not in body
        pages.append([row["id"] for row in body["results"]])
        url = body[link]
    return pages


@pytest.mark.parametrize("ordering", ["", "price", "-price", "-created_at", "size_sqm,-price"])
def test_cursor_pages_cover_every_plot_once_in_the_lists_order(admin_client, plots, ordering):
    query = f"ordering={ordering}&" if ordering else ""
    expected = [
        row["id"] for row in admin_client.get(f"/api/plots/?{query}page_size=100").json()["results"]
    ]
    pages = walk(admin_client, f"/api/plots/?{query}page_size=5&cursor=")
    assert [len(page) for page in pages] == [5, 5, 5, 5, 3]
    assert [plot_id for page in pages for plot_id in page] == expected
    assert sorted(expected) == sorted(plot.pk for plot in plots)


def test_previous_links_walk_back_through_the_same_pages(admin_client, plots):
    forward = walk(admin_client, "/api/plots/?ordering=price&page_size=4&cursor=")
    last_page = admin_client.get("/api/plots/?ordering=price&page_size=4&cursor=").json()
    url = last_page["next"]
    while True:
        body = admin_client.get(url).json()
        if body["next"] is None:
            break
        url = body["next"]
    backward = walk(admin_client, body["previous"], link="previous")
    assert list(reversed(backward)) == forward[:-1]
    assert (
        admin_client.get("/api/plots/?ordering=price&page_size=4&cursor=").json()["previous"]
        is None
    )


def test_page_numbers_with_equal_prices_repeat_and_skip_nothing(admin_client, plots):
    seen = []
    for page in range(1, 6):
        body = admin_client.get(f"/api/plots/?ordering=price&page_size=5&page={page}").json()
        assert body["count"] == 23
        seen += [row["id"] for row in body["results"]]
    assert sorted(seen) == sorted(plot.pk for plot in plots)
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize(
    "cursor",
    ["%%%", "bm90IGpzb24", "eyJvIjoiaWQiLCJ2IjpbXX0", "e30", "W10", "eyJvIjoiZXN0YXRlX2lkIn0"],
)
def test_a_bad_cursor_is_a_400_in_the_error_format(admin_client, plots, cursor):
    response = admin_client.get(f"/api/plots/?cursor={cursor}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert "cursor" in response.json()["error"]["details"]


def test_a_cursor_from_another_ordering_is_refused(admin_client, plots):
    next_url = admin_client.get("/api/plots/?ordering=price&page_size=5&cursor=").json()["next"]
    cursor = next_url.split("cursor=")[1].split("&")[0]
    response = admin_client.get(f"/api/plots/?ordering=-price&cursor={cursor}")
    assert response.status_code == 400


def test_a_cursor_past_the_last_row_is_an_empty_page(admin_client, plots):
    pages = walk(admin_client, "/api/plots/?page_size=23&cursor=")
    assert len(pages) == 1 and len(pages[0]) == 23


def test_purchases_and_commissions_page_by_cursor(admin_client, company):
    sales = [make_sale(company) for _ in range(7)]
    pages = walk(admin_client, "/api/purchases/?page_size=3&cursor=")
    assert [purchase_id for page in pages for purchase_id in page] == [
        sale.pk for sale in sorted(sales, key=lambda s: (s.purchased_at, s.pk), reverse=True)
    ]
    assert walk(admin_client, "/api/commissions/?page_size=3&cursor=") == [[]]


@pytest.mark.parametrize(
    ("ordering", "values"),
    [
        ("", [2**70, "A-1", 1]),  # an estate id no column holds
        ("", [1, "A-1", -(2**70)]),
        ("", [1, "x" * 500, 1]),  # longer than a plot number can be
        ("price", ["1e999999", 1]),
        ("price", ["NaN", 1]),
        ("-created_at", ["not a time", 1]),
        ("-created_at", ["9999-12-31T23:59:59-23:59", 1]),  # past year 9999 in UTC
        ("-created_at", ["0001-01-01T00:00:00+23:59", 1]),  # before year 1 in UTC
    ],
)
def test_a_cursor_with_values_no_row_can_hold_is_a_400(admin_client, plots, ordering, values):
    fields = {"": "estate_id,plot_number,id", "price": "price,id", "-created_at": "-created_at,-id"}
    cursor = encode_cursor(fields[ordering], values)
    response = admin_client.get(f"/api/plots/?ordering={ordering}&cursor={cursor}")
    assert response.status_code == 400, response.content
    assert "cursor" in response.json()["error"]["details"]
