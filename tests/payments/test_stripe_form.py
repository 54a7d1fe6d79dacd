"""Reading the SDK's form encoding back, and the SDK's params types as Stripe's checks."""

from urllib.parse import urlencode

import pytest
from stripe._encode import _api_encode

from tests.payments.stripe_form import as_bool, decode_form, param_problems, params_type


def sdk_encoded(params: dict) -> str:
    """What the SDK puts on the wire for ``params`` (stripe/_api_requestor.py)."""
    return urlencode(list(_api_encode(params))).replace("%5B", "[").replace("%5D", "]")


def test_nested_params_come_back_as_the_sdk_was_given_them():
    params = {
        "mode": "subscription",
        "line_items": [{"price": "price_pro", "quantity": 1, "tax_rates": ["txr_1", "txr_2"]}],
        "metadata": {"company_id": "17", "0": "a key that looks like an index"},
        "subscription_data": {"metadata": {"tier": "pro"}},
        "cancel_at_period_end": True,
        "expand": ["latest_invoice.payments"],
    }

    decoded = decode_form(sdk_encoded(params))

    assert decoded == {
        "mode": "subscription",
        "line_items": [{"price": "price_pro", "quantity": "1", "tax_rates": ["txr_1", "txr_2"]}],
        "metadata": {"company_id": "17", "0": "a key that looks like an index"},
        "subscription_data": {"metadata": {"tier": "pro"}},
        "cancel_at_period_end": "true",
        "expand": ["latest_invoice.payments"],
    }
    assert as_bool(decoded["cancel_at_period_end"]) is True


def test_empty_brackets_append_and_empty_values_survive():
    assert decode_form("expand[]=a&expand[]=b&metadata[old]=&description=") == {
        "expand": ["a", "b"],
        "metadata": {"old": ""},
        "description": "",
    }


def test_the_sdks_params_types_name_unknown_and_missing_params():
    create_rate = params_type("tax_rate_create")
    session = params_type("checkout/session_create")

    assert param_problems({"display_name": "VAT", "percentage": "7.5"}, create_rate) == [
        ("parameter_missing", "inclusive", "Missing required param: inclusive.")
    ]
    assert param_problems(
        {"line_items": [{"price": "p", "quantity": "1"}, {"prise": "p"}], "mode": "subscription"},
        session,
    ) == [
        (
            "parameter_unknown",
            "line_items[1][prise]",
            "Received unknown parameter: line_items[1][prise]",
        )
    ]
    assert param_problems({"subscription_data": {"metadata": {"any": "key"}}}, session) == []


@pytest.mark.parametrize("value", ["yes", "1", "True"])
def test_booleans_are_spelled_as_stripe_spells_them(value):
    with pytest.raises(ValueError, match="Invalid boolean"):
        as_bool(value)
