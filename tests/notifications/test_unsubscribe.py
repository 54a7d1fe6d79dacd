"""Unsubscribing from a category's emails by the emailed link: a signed token, no
sign-in; mandatory categories refused; the category's email off and nothing else."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail, signing

from apps.notifications import unsubscribe
from apps.notifications.categories import Category
from apps.notifications.models import NotificationPreference
from apps.notifications.outbox import Recipient, notification_send
from apps.notifications.samples import sample_context
from apps.notifications.unsubscribe import unsubscribe_links, unsubscribe_token

pytestmark = pytest.mark.django_db

URL = "/api/notifications/unsubscribe/"


def preferences(user):
    return list(
        NotificationPreference.objects.filter(user=user)
        .order_by("category")
        .values_list("category", "email", "sms", "in_app")
    )


def test_get_says_which_category_and_changes_nothing(api_client, user):
    token = unsubscribe_token(user_id=user.pk, category=Category.WEEKLY_SUMMARY)

    response = api_client.get(URL, {"token": token})

    assert response.status_code == 200
    assert response.json() == {
        "category": "weekly_summary",
        "label": "Weekly summary",
        "email": True,
    }
    assert user.email not in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert preferences(user) == []


def test_a_good_token_turns_that_categorys_email_off_and_nothing_else(api_client, user):
    NotificationPreference.objects.create(
        user=user, category=Category.WEEKLY_SUMMARY, sms=False, in_app=True
    )
    NotificationPreference.objects.create(user=user, category=Category.COMMISSION_PAID)
    token = unsubscribe_token(user_id=user.pk, category=Category.WEEKLY_SUMMARY)

    response = api_client.post(f"{URL}?token={token}", {}, format="json")

    assert response.status_code == 200
    assert response.json()["email"] is False
    assert preferences(user) == [
        ("commission_paid", True, True, True),
        ("weekly_summary", False, False, True),
    ]


def test_without_a_row_one_is_made_with_only_email_off(api_client, user):
    token = unsubscribe_token(user_id=user.pk, category=Category.API_LIMIT_EXCEEDED)

    response = api_client.post(f"{URL}?token={token}")

    assert response.status_code == 200
    assert preferences(user) == [("api_limit_exceeded", False, True, True)]


def test_unsubscribing_again_changes_nothing(api_client, user):
    token = unsubscribe_token(user_id=user.pk, category=Category.COMMISSION_PAID)
    first = api_client.post(f"{URL}?token={token}")
    after_first = preferences(user)

    second = api_client.post(f"{URL}?token={token}")

    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert preferences(user) == after_first == [("commission_paid", False, True, True)]


def test_one_click_from_a_mail_client(api_client, user):
    """RFC 8058: the client posts List-Unsubscribe=One-Click as a form to the header's URL."""
    token = unsubscribe_token(user_id=user.pk, category=Category.AFFILIATION_APPROVED)

    response = api_client.post(
        f"{URL}?token={token}",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert preferences(user) == [("affiliation_approved", False, True, True)]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: token.split(":")[0],
        lambda token: "",
        lambda token: signing.Signer(salt="other").sign_object({"u": 1, "c": "weekly_summary"}),
        lambda token: signing.Signer(salt=unsubscribe.SALT).sign_object(
            {"u": 1, "c": "no_such_category", "v": 1}
        ),
        lambda token: signing.Signer(salt=unsubscribe.SALT).sign_object({"u": 1, "v": 1}),
        lambda token: "x" * 5000,
    ],
    ids=[
        "signature",
        "truncated",
        "empty",
        "another salt",
        "unknown category",
        "no category",
        "long",
    ],
)
def test_a_bad_token_is_refused_and_changes_nothing(api_client, user, tamper):
    token = tamper(unsubscribe_token(user_id=user.pk, category=Category.WEEKLY_SUMMARY))

    get = api_client.get(URL, {"token": token})
    post = api_client.post(f"{URL}?token={token}")

    for response in (get, post):
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_unsubscribe_link"
    assert preferences(user) == []


def test_a_token_for_another_user_cannot_be_made_from_ones_own(api_client, user):
    other = type(user).objects.create(email="other@example.ng")
    token = unsubscribe_token(user_id=user.pk, category=Category.WEEKLY_SUMMARY)
    payload, rest = token.split(":", 1)
    forged = signing.b64_encode(
        signing.b64_decode(payload.encode()).replace(
            f'"u":{user.pk}'.encode(), f'"u":{other.pk}'.encode()
        )
    ).decode()

    response = api_client.post(f"{URL}?token={forged}:{rest}")

    assert response.status_code == 400
    assert NotificationPreference.objects.count() == 0


def test_a_mandatory_category_is_refused(api_client, user):
    # Never emailed, but signed with the real key: still refused.
    token = unsubscribe_token(user_id=user.pk, category=Category.INVOICE_ISSUED)

    get = api_client.get(URL, {"token": token})
    post = api_client.post(f"{URL}?token={token}")

    for response in (get, post):
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "category_mandatory"
    assert preferences(user) == []


def test_a_withdrawn_categorys_tokens_stop_working(api_client, user, monkeypatch):
    token = unsubscribe_token(user_id=user.pk, category=Category.WEEKLY_SUMMARY)
    monkeypatch.setitem(unsubscribe.TOKEN_VERSIONS, Category.WEEKLY_SUMMARY, 2)

    refused = api_client.post(f"{URL}?token={token}")
    other_category = api_client.post(
        f"{URL}?token={unsubscribe_token(user_id=user.pk, category=Category.COMMISSION_PAID)}"
    )
    fresh = api_client.post(
        f"{URL}?token={unsubscribe_token(user_id=user.pk, category=Category.WEEKLY_SUMMARY)}"
    )

    assert refused.status_code == 400
    assert other_category.status_code == fresh.status_code == 200


def test_a_closed_account_has_nothing_to_unsubscribe(api_client, user):
    token = unsubscribe_token(user_id=user.pk, category=Category.WEEKLY_SUMMARY)
    user.is_active = False
    user.save(update_fields=["is_active"])

    response = api_client.post(f"{URL}?token={token}")

    assert response.status_code == 400
    assert preferences(user) == []


def test_an_unknown_body_field_is_refused(api_client, user):
    token = unsubscribe_token(user_id=user.pk, category=Category.WEEKLY_SUMMARY)

    response = api_client.post(f"{URL}?token={token}", {"email": True}, format="json")

    assert response.status_code == 400
    assert preferences(user) == []


def _send(category, user, commit, key):
    with commit():
        notification_send(
            category=category,
            key=key,
            event="test",
            company_id=None,
            recipients=[Recipient(user_id=user.pk, email=user.email)],
            context=sample_context(category),
        )
    return mail.outbox[-1]


def test_an_email_that_allows_it_carries_the_links_and_they_work(api_client, user, commit):
    message = _send(Category.WEEKLY_SUMMARY, user, commit, "weekly:1")

    links = unsubscribe_links(user_id=user.pk, category=Category.WEEKLY_SUMMARY)
    assert message.extra_headers["List-Unsubscribe"] == f"<{links.one_click}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.alternatives[0][0]
    assert links.page in html
    assert links.page in message.body
    one_click = urlsplit(links.one_click)
    assert one_click.path == URL

    response = api_client.post(
        f"{one_click.path}?{one_click.query}",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert preferences(user) == [("weekly_summary", False, True, True)]
    page_token = parse_qs(urlsplit(links.page).query)["token"][0]
    assert api_client.get(URL, {"token": page_token}).json()["email"] is False


def test_a_mandatory_email_carries_no_link(user, commit):
    message = _send(Category.PAYMENT_FAILED, user, commit, "payment_failed:1")

    assert "List-Unsubscribe" not in message.extra_headers
    assert "unsubscribe" not in message.body.lower()
    assert "unsubscribe" not in message.alternatives[0][0].lower()


def test_an_address_without_an_account_gets_no_link(commit):
    with commit():
        notification_send(
            category=Category.WEEKLY_SUMMARY,
            key="weekly:billing-address",
            event="test",
            company_id=None,
            recipients=[Recipient(user_id=None, email="accounts@adebayo.ng")],
            context=sample_context(Category.WEEKLY_SUMMARY),
        )

    (message,) = mail.outbox
    assert "List-Unsubscribe" not in message.extra_headers
    assert "unsubscribe" not in message.body.lower()
