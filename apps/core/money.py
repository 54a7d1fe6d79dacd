"""Money: Decimal naira rounded half-up to the kobo, and conversion to Stripe's integer kobo."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

KOBO = Decimal("0.01")
KOBO_PER_NAIRA = 100
# Big enough for any real-estate amount in naira (under a trillion), with kobo.
MONEY_MAX_DIGITS = 14
MONEY_DECIMAL_PLACES = 2


def to_decimal(value: Decimal | int | str) -> Decimal:
    """Turn an amount into a finite Decimal. Floats are refused: they are not exact."""
    if isinstance(value, bool | float):
        raise TypeError("money must be a Decimal, int or str, not a float or bool")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"not a finite amount: {value!r}")
    return amount


def round_kobo(value: Decimal | int | str) -> Decimal:
    """Round to two places, half up (₦0.005 becomes ₦0.01)."""
    return to_decimal(value).quantize(KOBO, rounding=ROUND_HALF_UP)


def naira_to_kobo(value: Decimal | int | str) -> int:
    """Naira to integer kobo, as Stripe wants amounts (₦1,500.50 -> 150050)."""
    return int(round_kobo(value) * KOBO_PER_NAIRA)


def kobo_to_naira(kobo: int) -> Decimal:
    """Integer kobo to naira (150050 -> ₦1500.50)."""
    if isinstance(kobo, bool) or not isinstance(kobo, int):
        raise TypeError("kobo must be an int")
    return (Decimal(kobo) / KOBO_PER_NAIRA).quantize(KOBO)


def percent_of(amount: Decimal | int | str, percent: Decimal | int | str) -> Decimal:
    """``percent`` % of ``amount``, rounded to the kobo (2.5 % of ₦1,000,000 = ₦25,000.00)."""
    return round_kobo(to_decimal(amount) * to_decimal(percent) / 100)


def apply_rate(amount: Decimal | int | str, rate: Decimal | int | str) -> Decimal:
    """``amount`` times ``rate``, rounded to the kobo (VAT is apply_rate(subtotal, VAT_RATE))."""
    return round_kobo(to_decimal(amount) * to_decimal(rate))


def format_naira(value: Decimal | int | str) -> str:
    """₦1,234,567.89"""
    return f"₦{round_kobo(value):,.2f}"
