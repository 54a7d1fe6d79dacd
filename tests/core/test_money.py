from decimal import Decimal

import pytest

from apps.core.money import (
    apply_rate,
    format_naira,
    kobo_to_naira,
    naira_to_kobo,
    percent_of,
    round_kobo,
    to_decimal,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1.005", Decimal("1.01")),  # half up, not banker's rounding
        ("1.004", Decimal("1.00")),
        ("2.675", Decimal("2.68")),
        (Decimal("-1.005"), Decimal("-1.01")),
        (7, Decimal("7.00")),
    ],
)
def test_round_kobo_rounds_half_up_to_two_places(value, expected):
    assert round_kobo(value) == expected
    assert round_kobo(value).as_tuple().exponent == -2


def test_naira_and_kobo_round_trip():
    assert naira_to_kobo(Decimal("1500.50")) == 150050
    assert naira_to_kobo("0.005") == 1
    assert kobo_to_naira(150050) == Decimal("1500.50")
    assert kobo_to_naira(naira_to_kobo("123456789.99")) == Decimal("123456789.99")


def test_percent_and_rate_are_rounded_to_the_kobo():
    assert percent_of(Decimal("1000000"), Decimal("2.5")) == Decimal("25000.00")
    assert percent_of(Decimal("333.33"), 5) == Decimal("16.67")  # 16.6665
    assert apply_rate(Decimal("25000"), Decimal("0.075")) == Decimal("1875.00")
    assert apply_rate(Decimal("99.99"), Decimal("0.075")) == Decimal("7.50")  # 7.49925


@pytest.mark.parametrize("bad", [1.5, True, "abc", "NaN", "Infinity"])
def test_to_decimal_refuses_floats_and_non_amounts(bad):
    with pytest.raises((TypeError, ValueError)):
        to_decimal(bad)


def test_kobo_must_be_an_integer():
    with pytest.raises(TypeError):
        kobo_to_naira(1.5)


def test_format_naira():
    assert format_naira(Decimal("1234567.891")) == "₦1,234,567.89"


def test_api_renders_decimals_as_exact_strings():
    from apps.core.renderers import JSONRenderer

    rendered = JSONRenderer().render({"amount": Decimal("10.50"), "big": Decimal("12345678901.23")})
    assert rendered == b'{"amount":"10.50","big":"12345678901.23"}'
