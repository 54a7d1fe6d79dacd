"""The invoice calculator: worked examples written out by hand, and properties that hold
for any input."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.billing.calculator import InvoiceInput, TierUsage, calculate_invoice

VAT = Decimal("0.075")
STARTER = TierUsage("starter", "Starter", Decimal("25000.00"), 30)
PROFESSIONAL = TierUsage("professional", "Professional", Decimal("75000.00"), 30)


def make_input(**overrides):
    fields = {
        "period_days": 30,
        "tiers": (PROFESSIONAL,),
        "included_plots": 1000,
        "plots_held": 0,
        "included_api_calls": 150_000,
        "api_calls": 0,
        "credits_available": Decimal("0.00"),
        "vat_rate": VAT,
    }
    return InvoiceInput(**{**fields, **overrides})


def test_a_plain_month_is_the_fee_plus_vat():
    result = calculate_invoice(make_input())
    # ₦75,000.00 + 7.5 % = ₦80,625.00
    assert [(line.kind, line.amount) for line in result.lines] == [
        ("subscription", Decimal("75000.00"))
    ]
    assert (result.subtotal, result.vat, result.total) == (
        Decimal("75000.00"),
        Decimal("5625.00"),
        Decimal("80625.00"),
    )


def test_overage_on_plots_and_api_calls():
    result = calculate_invoice(make_input(plots_held=1_012, api_calls=150_001 + 2_500))
    # 12 extra plots x ₦300 = ₦3,600; 2,501 extra calls = 3 blocks of 1,000 (or part)
    # x ₦100 = ₦300; subtotal ₦75,000 + ₦3,900 = ₦78,900; VAT ₦5,917.50; total ₦84,817.50
    lines = {line.kind: (line.quantity, line.unit_price, line.amount) for line in result.lines}
    assert lines["overage_plots"] == (12, Decimal("300.00"), Decimal("3600.00"))
    assert lines["overage_api_calls"] == (3, Decimal("100.00"), Decimal("300.00"))
    assert result.overage == Decimal("3900.00")
    assert (result.subtotal, result.vat, result.total) == (
        Decimal("78900.00"),
        Decimal("5917.50"),
        Decimal("84817.50"),
    )


def test_exactly_the_allowance_is_no_overage():
    result = calculate_invoice(make_input(plots_held=1000, api_calls=150_000))
    assert result.overage == Decimal("0.00")
    assert [line.kind for line in result.lines] == ["subscription"]


def test_credits_reduce_the_subtotal_and_the_rest_carries_forward():
    result = calculate_invoice(make_input(credits_available=Decimal("100000.00")))
    # Charges ₦75,000; credit ₦100,000: ₦75,000 used, ₦25,000 left; nothing to pay.
    assert result.credits_used == Decimal("75000.00")
    assert result.credit_left == Decimal("25000.00")
    assert (result.subtotal, result.vat, result.total) == (
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("0.00"),
    )
    assert result.lines[-1].kind == "credit"
    assert result.lines[-1].amount == Decimal("-75000.00")


def test_a_partial_credit_is_taxed_after_it_is_used():
    result = calculate_invoice(make_input(credits_available=Decimal("10000.50")))
    # ₦75,000 - ₦10,000.50 = ₦64,999.50; VAT 7.5 % = ₦4,874.9625 -> ₦4,874.96
    assert result.subtotal == Decimal("64999.50")
    assert result.vat == Decimal("4874.96")
    assert result.total == Decimal("69874.46")


def test_an_upgrade_in_the_middle_of_the_month_prorates_the_fees_by_days():
    # 31-day month: 10 days on Starter, 21 on Professional.
    result = calculate_invoice(
        make_input(
            period_days=31,
            tiers=(
                TierUsage("starter", "Starter", Decimal("25000.00"), 10),
                TierUsage("professional", "Professional", Decimal("75000.00"), 21),
            ),
        )
    )
    # Starter 25,000 x 10/31 = 8,064.516... -> ₦8,064.52
    # Professional 75,000 x 21/31 = 50,806.451... -> ₦50,806.45
    # subtotal ₦58,870.97; VAT 4,415.32275 -> ₦4,415.32; total ₦63,286.29
    assert [(line.description, line.amount) for line in result.lines] == [
        ("Starter plan, 10 of 31 days", Decimal("8064.52")),
        ("Professional plan, 21 of 31 days", Decimal("50806.45")),
    ]
    assert (result.subtotal, result.vat, result.total) == (
        Decimal("58870.97"),
        Decimal("4415.32"),
        Decimal("63286.29"),
    )


def test_half_a_kobo_of_vat_rounds_up():
    # Subtotal ₦0.10 after credits: VAT 0.0075 -> ₦0.01 (half up), not ₦0.00.
    result = calculate_invoice(make_input(credits_available=Decimal("74999.90")))
    assert result.subtotal == Decimal("0.10")
    assert result.vat == Decimal("0.01")


def test_a_month_with_no_usage_is_just_the_fee():
    result = calculate_invoice(make_input(tiers=(STARTER,), included_plots=100, plots_held=0))
    assert result.total == Decimal("26875.00")


@pytest.mark.parametrize(
    "change", [{"period_days": 0}, {"tiers": (TierUsage("starter", "Starter", Decimal(1), 31),)}]
)
def test_impossible_inputs_are_refused(change):
    with pytest.raises(ValueError):
        calculate_invoice(make_input(**change))


# --- properties --------------------------------------------------------------------------------

money = st.decimals(min_value=0, max_value=Decimal("10000000.00"), places=2)


@st.composite
def invoice_inputs(draw):
    period_days = draw(st.integers(min_value=28, max_value=31))
    fees = draw(st.lists(money, min_size=1, max_size=3))
    remaining = period_days
    tiers = []
    for index, fee in enumerate(fees):
        days = draw(st.integers(min_value=0, max_value=remaining))
        remaining -= days
        tiers.append(TierUsage(f"tier{index}", f"Tier {index}", fee, days))
    return InvoiceInput(
        period_days=period_days,
        tiers=tuple(tiers),
        included_plots=draw(st.integers(min_value=0, max_value=100_000)),
        plots_held=draw(st.integers(min_value=0, max_value=200_000)),
        included_api_calls=draw(st.integers(min_value=0, max_value=2_000_000)),
        api_calls=draw(st.integers(min_value=0, max_value=5_000_000)),
        credits_available=draw(money),
        vat_rate=draw(st.sampled_from([VAT, Decimal("0"), Decimal("0.1")])),
    )


@given(invoice_inputs())
def test_the_total_is_never_negative_and_the_lines_add_up(data):
    result = calculate_invoice(data)
    assert result.total >= 0
    assert result.subtotal >= 0
    assert sum((line.amount for line in result.lines), Decimal("0.00")) == result.subtotal
    assert result.total == result.subtotal + result.vat
    assert all(line.amount == line.unit_price * line.quantity for line in result.lines)


@given(invoice_inputs())
def test_vat_is_exactly_the_rounded_rate(data):
    result = calculate_invoice(data)
    expected = (result.subtotal * data.vat_rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert result.vat == expected


@given(invoice_inputs())
def test_credits_are_conserved(data):
    result = calculate_invoice(data)
    assert result.credits_used + result.credit_left == data.credits_available
    assert result.credits_used <= result.fees + result.overage
    # Credit is used only as far as there are charges to set it against.
    assert result.credit_left == 0 or result.subtotal == 0


@given(invoice_inputs())
def test_every_amount_is_to_the_kobo(data):
    result = calculate_invoice(data)
    amounts = [result.subtotal, result.vat, result.total, *(line.amount for line in result.lines)]
    for value in amounts:
        assert value == value.quantize(Decimal("0.01"))
