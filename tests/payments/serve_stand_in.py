"""Run the Stripe stand-in as a process of its own, for a server under test to call (the
fuzzing run points STRIPE_API_BASE at it so the card endpoints answer as when configured).

    python -m tests.payments.serve_stand_in --port 8111

It serves our three tiers' prices as ``price_<tier>`` (what ``PlanStripePrice`` must name)
until interrupted.
"""

import argparse
import signal
import sys
import threading

from tests.payments import stripe_objects as so
from tests.payments.stripe_server import PRICES, StripeStandIn, price_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port

    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    server = StripeStandIn()
    server.port = port
    with server:
        for tier, amount in PRICES.items():
            server.add(so.price(price_id(tier), unit_amount=amount))
        sys.stdout.write(f"Stripe stand-in listening on {server.url}\n")
        sys.stdout.flush()
        stopped.wait()


if __name__ == "__main__":
    main()
