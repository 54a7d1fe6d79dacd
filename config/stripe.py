"""Stripe SDK configuration: the API version is pinned to the one stripe-python was built for."""

import stripe
from stripe._api_version import _ApiVersion


def configure_stripe(*, secret_key: str, api_base: str = "") -> bool:
    """Configure the global SDK; returns whether Stripe is enabled (a secret key is set)."""
    stripe.api_version = _ApiVersion.CURRENT
    if api_base:
        # localstripe or another local stand-in, in tests and development.
        stripe.api_base = api_base
    stripe.api_key = secret_key or None
    return bool(secret_key)
