"""Paying by card: checkout, plan changes, cancelling and the portal, against the Stripe
stand-in (the requests the SDK sends are asserted), and what happens without Stripe."""

from io import StringIO

import pytest
from django.core.management import call_command

from apps.companies.models import Company
from tests.companies.factories import MembershipFactory
from tests.conftest import client_for
from tests.payments import stripe_objects as so
from tests.payments.conftest import price_id

pytestmark = pytest.mark.django_db

CHECKOUT = "/api/billing/checkout/"
CHANGE = "/api/billing/subscription/change/"
CANCEL = "/api/billing/subscription/cancel/"
PORTAL = "/api/billing/portal/"


def subscribed(company, server, tier="professional", sub_id="sub_live"):
    """The company paying by card for ``tier``, as Stripe and we both have it."""
    customer = server.add(so.customer("cus_live", email=company.billing_email))
    sub = server.add(
        so.subscription(
            customer["id"], price_id(tier), metadata={"company_id": str(company.pk)}, id=sub_id
        )
    )
    Company.objects.filter(pk=company.pk).update(
        stripe_customer_id=customer["id"], stripe_subscription_id=sub["id"]
    )
    return sub


def test_checkout_makes_the_customer_once_and_a_session_for_the_plan(
    stripe_server, admin_client, company
):
    first = admin_client.post(CHECKOUT, {"tier": "professional"}, format="json")
    again = admin_client.post(CHECKOUT, {"tier": "enterprise"}, format="json")

    assert first.status_code == 201, first.content
    assert first.json()["url"].startswith("http")
    [customer] = stripe_server.requests_to("POST", "/v1/customers")
    assert customer.params["email"] == company.billing_email
    assert customer.params["metadata"] == {"company_id": str(company.pk)}
    assert customer.idempotency_key == f"customer-{company.pk}"
    sessions = stripe_server.requests_to("POST", "/v1/checkout/sessions")
    assert len(sessions) == 2
    session = sessions[0].params
    assert session["mode"] == "subscription"
    assert session["client_reference_id"] == str(company.pk)
    assert session["customer"] == Company.objects.get(pk=company.pk).stripe_customer_id
    assert session["line_items"][0]["price"] == price_id("professional")
    assert session["metadata"] == {"company_id": str(company.pk), "tier": "professional"}
    assert session["success_url"] == "https://app.estateapp.example/billing?checkout=success"
    assert session["cancel_url"] == "https://app.estateapp.example/billing?checkout=cancelled"
    assert sessions[1].params["line_items"][0]["price"] == price_id("enterprise")
    assert again.status_code == 201
    # The tier moves only when Stripe confirms.
    assert Company.objects.get(pk=company.pk).subscription_tier == company.subscription_tier


def test_a_company_already_paying_by_card_changes_plan_instead(
    stripe_server, admin_client, company
):
    subscribed(company, stripe_server)
    response = admin_client.post(CHECKOUT, {"tier": "enterprise"}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_subscribed"


def test_changing_plan_asks_stripe_with_proration_and_waits_for_its_word(
    stripe_server, admin_client, company
):
    subscribed(company, stripe_server)

    response = admin_client.post(CHANGE, {"tier": "enterprise"}, format="json")

    assert response.status_code == 202, response.content
    [update] = stripe_server.requests_to("POST", "/v1/subscriptions/sub_live")
    assert update.params["proration_behavior"] == "create_prorations"
    assert update.params["items"][0]["price"] == price_id("enterprise")
    assert stripe_server.get("sub_live")["items"]["data"][0]["price"]["id"] == price_id(
        "enterprise"
    )
    company.refresh_from_db()
    assert company.subscription_tier == "professional"


def test_cancelling_keeps_access_to_the_end_and_keeps_the_reason(
    stripe_server, admin_client, company
):
    subscribed(company, stripe_server)

    response = admin_client.post(CANCEL, {"reason": "Too expensive for us"}, format="json")

    assert response.status_code == 202
    assert response.json()["cancel_at_period_end"] is True
    assert stripe_server.get("sub_live")["cancel_at_period_end"] is True
    company.refresh_from_db()
    assert company.cancellation_reason == "Too expensive for us"
    assert company.is_subscription_active()


def test_only_our_staff_cancel_at_once(stripe_server, admin_client, company):
    subscribed(company, stripe_server)
    response = admin_client.post(CANCEL, {"at_period_end": False}, format="json")
    assert response.status_code == 403
    assert stripe_server.get("sub_live")["status"] == "active"


def test_the_portal_link_is_for_the_companys_customer(stripe_server, admin_client, company):
    subscribed(company, stripe_server)
    response = admin_client.post(PORTAL, {}, format="json")
    assert response.status_code == 201
    [portal] = stripe_server.requests_to("POST", "/v1/billing_portal/sessions")
    assert portal.params["customer"] == "cus_live"
    assert portal.params["return_url"] == "https://app.estateapp.example/billing"


@pytest.mark.parametrize("path", [CHANGE, CANCEL, PORTAL])
def test_without_a_card_subscription_there_is_nothing_to_change(stripe_server, admin_client, path):
    response = admin_client.post(
        path, {"tier": "enterprise"} if path == CHANGE else {}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_card_subscription"


@pytest.mark.parametrize("role", ["marketer", "client"])
def test_only_admins_pay(stripe_server, company, role):
    member = client_for(MembershipFactory(company=company, role=role).user)
    assert member.post(CHECKOUT, {"tier": "starter"}, format="json").status_code == 403
    assert stripe_server.requests == []


@pytest.mark.parametrize(
    ("path", "body"),
    [(CHECKOUT, {"tier": "starter"}), (CHANGE, {"tier": "starter"}), (CANCEL, {}), (PORTAL, {})],
)
def test_without_stripe_keys_the_payment_endpoints_answer_503(admin_client, settings, path, body):
    settings.STRIPE_SECRET_KEY = ""
    Company.objects.update(stripe_customer_id="cus_x", stripe_subscription_id="sub_x")
    response = admin_client.post(path, body, format="json")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "payments_unavailable"
    assert response["Retry-After"]


@pytest.mark.parametrize("failure", ["down", 500])
def test_stripe_unreachable_is_a_503_never_a_500(stripe_server, admin_client, company, failure):
    if failure == "down":
        stripe_server.down()
    else:
        stripe_server.fail_next(500, times=5)
    response = admin_client.post(CHECKOUT, {"tier": "starter"}, format="json")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "gateway_unavailable"
    company.refresh_from_db()
    assert company.stripe_customer_id == ""


def test_bad_tiers_are_400s(stripe_server, admin_client):
    for body in ({"tier": "platinum"}, {}, {"tier": "starter", "price": "price_free"}):
        assert admin_client.post(CHECKOUT, body, format="json").status_code == 400
    assert stripe_server.requests == []


# --- the nightly sync --------------------------------------------------------------------------


def test_the_sync_fixes_a_company_whose_state_drifted(stripe_server, company):
    subscribed(company, stripe_server, tier="enterprise")
    stripe_server.set_subscription_state("sub_live", status="past_due")
    out = StringIO()

    call_command("sync_stripe_subscriptions", "--dry-run", stdout=out)
    assert Company.objects.get(pk=company.pk).subscription_tier == "professional"
    assert "would change" in out.getvalue()

    call_command("sync_stripe_subscriptions", stdout=out)

    company.refresh_from_db()
    assert (company.subscription_tier, company.subscription_status) == ("enterprise", "past_due")
    assert company.max_plots == 10000
    assert f"company {company.pk} (sub_live): professional/active -> enterprise/past_due" in (
        out.getvalue()
    )
