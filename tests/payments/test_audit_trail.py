"""The audit trail of a card payment: what Stripe's events change is Stripe's doing."""

import pytest

from apps.audit.models import ActorKind
from tests.audit.helpers import entries
from tests.companies.factories import MembershipFactory, TrialCompanyFactory
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_a_declined_card_payment_is_recorded_as_stripes_doing(stripe_server, commit):
    """The webhook's processing task acts as "stripe", even run eagerly inside the request."""
    from rest_framework.test import APIClient

    from tests.payments import stripe_objects as so
    from tests.payments.conftest import post_delivery
    from tests.payments.test_stripe_end_to_end import checkout

    company = TrialCompanyFactory()
    admin = client_for(MembershipFactory(company=company, role="company_admin").user)
    outcome = checkout(stripe_server, admin)
    stripe = APIClient()
    with commit():
        post_delivery(stripe, so.event("checkout.session.completed", outcome.session))
    draft = stripe_server.create_invoice(outcome.subscription["id"])
    stripe_server.finalize_invoice(draft["id"])
    failed = stripe_server.fail_invoice_payment(draft["id"])
    with commit():
        post_delivery(stripe, so.event("payment_intent.payment_failed", failed.payment_intent))
    failure = [e for e in entries("payment") if e.additional_data["outcome"] == "failed"]
    assert len(failure) == 1
    assert failure[0].actor_kind == ActorKind.STRIPE
    assert failure[0].company_id == company.pk
    assert failure[0].additional_data["reason"]
