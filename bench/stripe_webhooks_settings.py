"""Settings for bench/stripe_webhooks.py's server: the development settings (the
environment decides the database, Redis, the broker and Stripe's keys, as for any
deployment) with a URL conf that adds two trivial authenticated endpoints beside the
product's, so the baseline is served by the same processes as the webhook. Nothing in
the product's own URL conf is there for the benchmark."""

from config.settings.local import *  # noqa: F403

ROOT_URLCONF = "bench.stripe_webhooks_urls"
