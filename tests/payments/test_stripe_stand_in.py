"""The Stripe stand-in, driven only through the real stripe SDK.

Every answer the stand-in gives during these tests is checked against the SDK's typed
resources when the test ends, so a shape mistake fails here rather than in a handler.
"""

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import stripe

from tests.payments import stripe_objects as so
from tests.payments.stripe_server import StripeStandIn
from tests.payments.stripe_shapes import shape_problems

PRO = "price_professional_test"
ENTERPRISE = "price_enterprise_test"


@pytest.fixture
def stripe_server() -> Iterator[StripeStandIn]:
    with StripeStandIn() as server:
        server.add(so.price(PRO, unit_amount=5_000_000, nickname="Professional"))
        server.add(so.price(ENTERPRISE, unit_amount=12_000_000, nickname="Enterprise"))
        yield server
        answers = [r.response for r in server.requests if r.status == 200]
    problems = [problem for answer in answers for problem in shape_problems(answer)]
    assert problems == []


@pytest.fixture
def client(stripe_server: StripeStandIn) -> stripe.StripeClient:
    return stripe_server.client()


@pytest.fixture
def vat(client: stripe.StripeClient) -> stripe.TaxRate:
    return client.v1.tax_rates.create(
        {"display_name": "VAT", "percentage": 7.5, "inclusive": False, "country": "NG"}
    )


def start_checkout(client, customer_id: str, **extra) -> stripe.checkout.Session:
    params = {
        "mode": "subscription",
        "customer": customer_id,
        "client_reference_id": "17",
        "line_items": [{"price": PRO, "quantity": 1}],
        "metadata": {"company_id": "17", "tier": "professional"},
        "subscription_data": {"metadata": {"company_id": "17"}},
        "success_url": "https://app.example.com/billing/success",
        "cancel_url": "https://app.example.com/billing/cancel",
        **extra,
    }
    return client.v1.checkout.sessions.create(params)


def subscribed(stripe_server, client, **extra) -> stripe.Subscription:
    customer = client.v1.customers.create({"email": "billing@adewale-estates.ng"})
    session = start_checkout(client, customer.id, **extra)
    outcome = stripe_server.complete_checkout(session.id)
    return client.v1.subscriptions.retrieve(outcome.subscription["id"])


# --- customers ------------------------------------------------------------------------------


def test_a_customer_is_created_and_the_request_recorded(stripe_server, client):
    customer = client.v1.customers.create(
        {
            "email": "billing@adewale-estates.ng",
            "name": "Adewale Estates",
            "metadata": {"company_id": "17"},
        },
        {"idempotency_key": "customer-for-company-17"},
    )

    assert isinstance(customer, stripe.Customer)
    assert customer.id.startswith("cus_")
    assert customer.email == "billing@adewale-estates.ng"
    assert customer.metadata["company_id"] == "17"
    assert customer.currency is None
    (sent,) = stripe_server.requests
    assert (sent.method, sent.path) == ("POST", "/v1/customers")
    assert sent.params == {
        "email": "billing@adewale-estates.ng",
        "name": "Adewale Estates",
        "metadata": {"company_id": "17"},
    }
    assert sent.raw_body.startswith("email=billing%40adewale-estates.ng&name=Adewale+Estates")
    assert sent.idempotency_key == "customer-for-company-17"
    assert sent.stripe_version == so.API_VERSION
    assert sent.authorization == "Bearer sk_test_stand_in"
    assert client.v1.customers.retrieve(customer.id).email == customer.email


def test_a_customer_update_merges_metadata_and_checks_the_default_card(stripe_server, client):
    customer = client.v1.customers.create({"metadata": {"company_id": "17", "old": "x"}})
    card = stripe_server.add(so.payment_method("visa", "4242", customer=customer.id))

    updated = client.v1.customers.update(
        customer.id,
        {
            "metadata": {"old": "", "tier": "pro"},
            "invoice_settings": {"default_payment_method": card["id"]},
        },
    )

    assert updated.metadata.to_dict() == {"company_id": "17", "tier": "pro"}
    assert updated.invoice_settings.default_payment_method == card["id"]
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.customers.update(
            customer.id, {"invoice_settings": {"default_payment_method": "pm_missing"}}
        )
    assert refused.value.param == "invoice_settings[default_payment_method]"


def test_an_unknown_id_answers_404_resource_missing(client):
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.customers.retrieve("cus_missing")

    assert missing.value.http_status == 404
    assert missing.value.code == "resource_missing"
    assert missing.value.user_message == "No such customer: 'cus_missing'"


def test_an_unknown_parameter_is_refused_as_stripe_does(stripe_server, client):
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.customers.create({"emial": "typo@example.com"})

    assert refused.value.http_status == 400
    assert refused.value.code == "parameter_unknown"
    assert refused.value.param == "emial"
    assert stripe_server.requests[-1].status == 400


# --- Checkout and the portal ----------------------------------------------------------------


def test_a_checkout_session_is_created_as_the_sdk_encoded_it(stripe_server, client, vat):
    customer = client.v1.customers.create({"email": "billing@adewale-estates.ng"})

    session = start_checkout(
        client,
        customer.id,
        subscription_data={"metadata": {"company_id": "17"}, "default_tax_rates": [vat.id]},
    )

    assert session.object == "checkout.session"
    assert session.id.startswith("cs_test_")
    assert session.url == f"https://checkout.stripe.com/c/pay/{session.id}"
    assert (session.mode, session.status, session.payment_status) == (
        "subscription",
        "open",
        "unpaid",
    )
    assert session.client_reference_id == "17"
    assert session.customer == customer.id
    assert session.subscription is None
    assert session.amount_total == 5_000_000
    assert session.metadata.to_dict() == {"company_id": "17", "tier": "professional"}
    sent = stripe_server.requests_to("POST", "/v1/checkout/sessions")[0]
    assert "line_items[0][price]=price_professional_test&line_items[0][quantity]=1" in sent.raw_body
    assert sent.params["line_items"] == [{"price": PRO, "quantity": "1"}]
    assert sent.params["subscription_data"] == {
        "metadata": {"company_id": "17"},
        "default_tax_rates": [vat.id],
    }
    assert client.v1.checkout.sessions.retrieve(session.id).url == session.url


@pytest.mark.parametrize(
    ("change", "param"),
    [
        ({"line_items": [{"price": "price_missing", "quantity": 1}]}, "line_items[0][price]"),
        ({"line_items": [{"price": PRO}]}, "line_items[0][quantity]"),
        ({"mode": "payment"}, "mode"),
        ({"subscription_data": {"trial_days": 7}}, "subscription_data[trial_days]"),
    ],
)
def test_a_checkout_session_stripe_would_refuse_is_refused(client, change, param):
    customer = client.v1.customers.create({})

    with pytest.raises(stripe.InvalidRequestError) as refused:
        start_checkout(client, customer.id, **change)

    assert refused.value.param == param


def test_completing_checkout_links_everything_the_app_reads(stripe_server, client):
    customer = client.v1.customers.create({"email": "billing@adewale-estates.ng"})
    session = start_checkout(client, customer.id)

    outcome = stripe_server.complete_checkout(session.id)

    done = client.v1.checkout.sessions.retrieve(session.id)
    assert (done.status, done.payment_status, done.url) == ("complete", "paid", None)
    assert done.subscription == outcome.subscription["id"]
    sub = client.v1.subscriptions.retrieve(
        done.subscription, {"expand": ["latest_invoice.payments"]}
    )
    assert sub.status == "active"
    assert sub.customer == customer.id
    assert sub.metadata["company_id"] == "17"
    item = sub["items"]["data"][0]
    assert item.price.id == PRO
    assert item.current_period_end > item.current_period_start
    invoice = sub.latest_invoice
    assert invoice.parent.subscription_details.subscription == sub.id
    assert invoice.billing_reason == "subscription_create"
    assert (invoice.status, invoice.amount_paid, invoice.currency) == ("paid", 5_000_000, "ngn")
    intent_id = invoice.payments.data[0].payment.payment_intent
    intent = client.v1.payment_intents.retrieve(intent_id)
    assert (intent.status, intent.amount_received) == ("succeeded", 5_000_000)
    card = client.v1.payment_methods.retrieve(intent.payment_method)
    assert (card.card.brand, card.card.last4, card.customer) == ("visa", "4242", customer.id)
    links = client.v1.invoice_payments.list(
        {"payment": {"type": "payment_intent", "payment_intent": intent_id}}
    )
    assert [link.invoice for link in links.data] == [invoice.id]


def test_a_portal_session_has_a_url(stripe_server, client):
    customer = client.v1.customers.create({})

    portal = client.v1.billing_portal.sessions.create(
        {"customer": customer.id, "return_url": "https://app.example.com/billing"}
    )

    assert portal.url.startswith("https://billing.stripe.com/p/session/")
    assert (portal.customer, portal.return_url) == (customer.id, "https://app.example.com/billing")
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.billing_portal.sessions.create({"customer": "cus_missing"})


# --- subscriptions --------------------------------------------------------------------------


def test_a_price_change_with_proration(stripe_server, client):
    sub = subscribed(stripe_server, client)
    item = sub["items"]["data"][0]

    changed = client.v1.subscriptions.update(
        sub.id,
        {
            "items": [{"id": item.id, "price": ENTERPRISE}],
            "proration_behavior": "create_prorations",
            "metadata": {"tier": "enterprise"},
        },
    )

    new_item = changed["items"]["data"][0]
    assert (new_item.id, new_item.price.id, new_item.plan.id) == (item.id, ENTERPRISE, ENTERPRISE)
    assert new_item.current_period_end == item.current_period_end
    assert changed.metadata.to_dict() == {"company_id": "17", "tier": "enterprise"}
    sent = stripe_server.requests[-1]
    assert sent.params["items"] == [{"id": item.id, "price": ENTERPRISE}]
    assert sent.params["proration_behavior"] == "create_prorations"
    assert client.v1.prices.retrieve(ENTERPRISE).unit_amount == 12_000_000


def test_cancel_at_period_end_then_now(stripe_server, client):
    sub = subscribed(stripe_server, client)
    period_end = sub["items"]["data"][0].current_period_end

    ending = client.v1.subscriptions.update(
        sub.id,
        {"cancel_at_period_end": True, "cancellation_details": {"comment": "Too expensive"}},
    )
    assert (ending.status, ending.cancel_at_period_end, ending.cancel_at) == (
        "active",
        True,
        period_end,
    )
    assert ending.cancellation_details.comment == "Too expensive"
    assert stripe_server.requests[-1].raw_body.startswith("cancel_at_period_end=true")

    canceled = client.v1.subscriptions.cancel(sub.id)

    assert canceled.status == "canceled"
    assert canceled.ended_at is not None
    assert canceled.cancellation_details.reason == "cancellation_requested"
    assert stripe_server.requests[-1].method == "DELETE"
    with pytest.raises(stripe.InvalidRequestError, match="canceled subscription"):
        client.v1.subscriptions.update(sub.id, {"items": [{"price": PRO}]})


def test_listing_subscriptions_pages_through_everything(stripe_server, client):
    mine, theirs = "cus_mine", "cus_theirs"
    created = [
        stripe_server.add(so.subscription(mine, PRO, created=1_800_000_000 + i))["id"]
        for i in range(7)
    ]
    stripe_server.add(so.subscription(theirs, PRO))
    stripe_server.add(so.subscription(mine, PRO, status="canceled", created=1_900_000_000))

    seen = [
        s.id
        for s in client.v1.subscriptions.list({"customer": mine, "limit": 3}).auto_paging_iter()
    ]

    assert seen == list(reversed(created))  # newest first, canceled ones left out
    pages = stripe_server.requests_to("GET", "/v1/subscriptions")
    assert [page.params.get("starting_after") for page in pages] == [None, seen[2], seen[5]]
    assert all(page.params["customer"] == mine for page in pages)
    assert [p.response["has_more"] for p in pages] == [True, True, False]
    every = client.v1.subscriptions.list({"customer": mine, "status": "all", "limit": 100})
    assert len(every.data) == 8
    canceled = client.v1.subscriptions.list({"status": "canceled"})
    assert [s.status for s in canceled.data] == ["canceled"]


# --- tax rates and invoice items ------------------------------------------------------------


def test_tax_rates_are_created_and_listed(client, vat):
    client.v1.tax_rates.create(
        {"display_name": "Old VAT", "percentage": 5, "inclusive": False, "active": False}
    )

    active = client.v1.tax_rates.list({"active": True})

    assert [(rate.id, rate.percentage, rate.inclusive) for rate in active.data] == [
        (vat.id, 7.5, False)
    ]
    assert vat.display_name == "VAT"


def test_items_land_on_the_draft_renewal_and_vat_is_added(stripe_server, client, vat):
    sub = subscribed(stripe_server, client, subscription_data={"default_tax_rates": [vat.id]})
    pending = client.v1.invoice_items.create(
        {
            "customer": sub.customer,
            "amount": 30_000,
            "currency": "ngn",
            "description": "1 extra plot",
            "tax_rates": [vat.id],
        }
    )
    assert pending.invoice is None

    draft = stripe_server.create_invoice(sub.id)
    client.v1.invoice_items.create(
        {
            "customer": sub.customer,
            "invoice": draft["id"],
            "amount": -100_000,
            "currency": "ngn",
            "description": "Credit",
            "tax_rates": [vat.id],
            "period": {"start": draft["period_start"], "end": draft["period_end"]},
            "metadata": {"credit_id": "3"},
        },
        {"idempotency_key": f"credit-3-on-{draft['id']}"},
    )

    invoice = client.v1.invoices.retrieve(draft["id"])
    assert invoice.status == "draft"
    assert invoice.billing_reason == "subscription_cycle"
    assert [line.amount for line in invoice.lines.data] == [5_000_000, 30_000, -100_000]
    assert invoice.subtotal == 4_930_000
    assert invoice.total_taxes[0].amount == 375_000 + 2_250 - 7_500
    assert invoice.total == 4_930_000 + 369_750
    assert invoice.lines.data[1].parent.invoice_item_details.invoice_item == pending.id
    renewed = client.v1.subscriptions.retrieve(sub.id)
    assert renewed["items"]["data"][0].current_period_start == invoice.period_end
    assert renewed.latest_invoice == invoice.id

    stripe_server.finalize_invoice(invoice.id)
    with pytest.raises(stripe.InvalidRequestError, match="no longer a draft"):
        client.v1.invoice_items.create(
            {"customer": sub.customer, "invoice": invoice.id, "amount": 1}
        )
    paid = stripe_server.pay_invoice(invoice.id)
    final = client.v1.invoices.retrieve(invoice.id)
    assert (final.status, final.amount_paid, final.amount_remaining) == ("paid", 5_299_750, 0)
    assert final.number.endswith("-0002")  # the customer's second invoice
    assert paid.invoice_payment["payment"]["payment_intent"] == paid.payment_intent["id"]


def test_a_declined_renewal(stripe_server, client):
    sub = subscribed(stripe_server, client)
    draft = stripe_server.create_invoice(sub.id)

    failed = stripe_server.fail_invoice_payment(draft["id"], decline_code="expired_card")

    intent = client.v1.payment_intents.retrieve(failed.payment_intent["id"])
    assert intent.status == "requires_payment_method"
    assert intent.last_payment_error.decline_code == "expired_card"
    invoice = client.v1.invoices.retrieve(draft["id"], {"expand": ["payments"]})
    assert (invoice.status, invoice.attempted, invoice.amount_paid) == ("open", True, 0)
    assert invoice.payments.data[0].status == "open"
    assert client.v1.subscriptions.retrieve(sub.id).status == "past_due"


def test_seeded_state_is_what_the_sdk_reads(stripe_server, client):
    sub = stripe_server.add(so.subscription("cus_seeded", PRO))

    stripe_server.set_subscription_state(
        sub["id"], status="past_due", price_id=ENTERPRISE, cancel_at_period_end=True
    )

    read = client.v1.subscriptions.retrieve(sub["id"])
    assert (read.status, read["items"]["data"][0].price.id, read.cancel_at_period_end) == (
        "past_due",
        ENTERPRISE,
        True,
    )
    assert stripe_server.get(sub["id"])["status"] == "past_due"


# --- idempotency ----------------------------------------------------------------------------


def test_a_repeated_idempotency_key_replays_the_first_answer(stripe_server, client):
    params = {"email": "billing@adewale-estates.ng", "metadata": {"company_id": "17"}}

    first = client.v1.customers.create(params, {"idempotency_key": "customer-17"})
    again = client.v1.customers.create(params, {"idempotency_key": "customer-17"})

    assert again.id == first.id
    assert [r.replayed for r in stripe_server.requests] == [False, True]
    assert again.last_response.headers["Idempotent-Replayed"] == "true"
    listed = client.v1.customers.list({"email": "billing@adewale-estates.ng"})
    assert [c.id for c in listed.data] == [first.id]


def test_concurrent_retries_with_one_key_create_one_customer(stripe_server):
    clients = [stripe_server.client() for _ in range(8)]
    barrier = threading.Barrier(len(clients))

    def create(client: stripe.StripeClient) -> str:
        barrier.wait()
        return client.v1.customers.create(
            {"email": "a@example.com"}, {"idempotency_key": "c-17"}
        ).id

    with ThreadPoolExecutor(len(clients)) as pool:
        ids = set(pool.map(create, clients))

    assert len(ids) == 1
    assert sum(not r.replayed for r in stripe_server.requests) == 1


def test_a_refused_call_changes_nothing(stripe_server, client):
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.customers.create(
            {"email": "a@example.com", "invoice_settings": {"default_payment_method": "pm_none"}}
        )

    assert client.v1.customers.list().data == []


def test_a_reused_key_with_other_params_is_an_idempotency_error(client):
    client.v1.customers.create({"email": "a@example.com"}, {"idempotency_key": "customer-17"})

    with pytest.raises(stripe.IdempotencyError) as refused:
        client.v1.customers.create({"email": "b@example.com"}, {"idempotency_key": "customer-17"})

    assert refused.value.http_status == 400


def test_the_sdk_sends_a_key_on_every_post_and_none_on_gets(stripe_server, client):
    customer = client.v1.customers.create({})
    client.v1.customers.retrieve(customer.id)

    post, get = stripe_server.requests
    assert post.idempotency_key
    assert get.idempotency_key is None


# --- failures -------------------------------------------------------------------------------


def test_a_500_surfaces_as_an_api_error_and_does_nothing(stripe_server, client):
    stripe_server.fail_next(500)

    with pytest.raises(stripe.APIError) as failed:
        client.v1.customers.create({"email": "a@example.com"})

    assert failed.value.http_status == 500
    assert client.v1.customers.list().data == []
    assert client.v1.customers.create({"email": "a@example.com"}).email == "a@example.com"


def test_a_dropped_connection_surfaces_as_a_connection_error(stripe_server, client):
    stripe_server.fail_next("disconnect", path="/v1/subscriptions")
    client.v1.customers.create({})  # other paths are unaffected

    with pytest.raises(stripe.APIConnectionError):
        client.v1.subscriptions.list()

    assert stripe_server.requests[-1].status is None
    assert client.v1.subscriptions.list().data == []


def test_a_stripe_that_is_down_refuses_connections_until_it_is_up(stripe_server, client):
    stripe_server.down()

    with pytest.raises(stripe.APIConnectionError):
        client.v1.customers.create({})

    stripe_server.up()
    assert client.v1.customers.create({}).id.startswith("cus_")


def test_the_sdks_retry_reuses_the_key_and_gets_the_answer(stripe_server):
    retrying = stripe_server.client(max_network_retries=1)
    stripe_server.fail_next(503)

    customer = retrying.v1.customers.create({"email": "a@example.com"})

    failed, retried = stripe_server.requests
    assert (failed.status, retried.status) == (503, 200)
    assert failed.idempotency_key == retried.idempotency_key
    assert retried.response["id"] == customer.id


@pytest.mark.parametrize(
    ("status", "error"),
    [(402, stripe.CardError), (429, stripe.RateLimitError), (401, stripe.AuthenticationError)],
)
def test_injected_statuses_map_to_the_sdks_errors(stripe_server, client, status, error):
    stripe_server.fail_next(status)

    with pytest.raises(error):
        client.v1.customers.create({})


def test_an_unknown_path_answers_stripes_404(client):
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.raw_request("get", "/v1/not_a_resource")

    assert missing.value.http_status == 404
    assert missing.value.code == "resource_missing"


def test_only_the_pinned_version_and_secret_test_keys_are_answered(stripe_server):
    with pytest.raises(stripe.InvalidRequestError, match="answers in API version"):
        stripe_server.client(stripe_version="2024-06-20").v1.customers.create({})
    with pytest.raises(stripe.AuthenticationError):
        stripe_server.client(api_key="pk_test_publishable").v1.customers.create({})


def test_the_module_level_sdk_can_be_pointed_at_it(stripe_server, client):
    customer = client.v1.customers.create({"email": "a@example.com"})
    before = (stripe.api_base, stripe.api_key)

    with stripe_server.as_global():
        assert stripe.Customer.retrieve(customer.id).email == "a@example.com"

    assert (stripe.api_base, stripe.api_key) == before
    assert stripe_server.requests[-1].stripe_version == so.API_VERSION
