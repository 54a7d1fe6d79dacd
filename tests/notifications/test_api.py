"""The notifications API: a signed-in person's own in-app list, scoped to the company the
request acts for, marking read, the unread count and preferences."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.companies.models import SubscriptionStatus
from apps.notifications.categories import CATEGORIES, Category, Channel
from apps.notifications.models import NotificationPreference, UserNotification
from apps.notifications.selectors import in_app_scope, user_notifications_unread_count
from tests.accounts.factories import UserFactory
from tests.companies.factories import CompanyFactory, MembershipFactory, make_api_key
from tests.conftest import client_for
from tests.notifications.in_app import notify_in_app

pytestmark = pytest.mark.django_db

LIST = "/api/notifications/"
READ_ALL = "/api/notifications/read-all/"
UNREAD_COUNT = "/api/notifications/unread-count/"
PREFERENCES = "/api/notifications/preferences/"


def read_path(pk: int) -> str:
    return f"/api/notifications/{pk}/read/"


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [item["id"] for item in response.json()["results"]]


def read_states() -> dict[int, object]:
    return dict(UserNotification.objects.values_list("pk", "read_at"))


@pytest.fixture
def other_admin(company):
    return MembershipFactory(company=company, role="company_admin").user


# --- the list -----------------------------------------------------------------------------


def test_the_list_is_mine_newest_first_with_every_field(admin_user, admin_client, company):
    first = notify_in_app(company, admin_user)[0]
    second = notify_in_app(company, admin_user, category=Category.SUBSCRIPTION_CHANGED)[0]
    # A colleague's notice of the same company is theirs alone.
    notify_in_app(company, MembershipFactory(company=company, role="company_admin").user)

    response = admin_client.get(LIST)

    assert ids(response) == [second, first]
    item = response.json()["results"][1]
    assert set(item) == {
        "id",
        "category",
        "title",
        "body",
        "link",
        "created_at",
        "read_at",
        "read",
    }
    assert item["category"] == "api_limit_exceeded"
    assert item["title"] == f"{company.name} has reached its daily API limit"
    assert "all 1,000 API calls" in item["body"]
    assert item["link"] == "https://app.example.ng/billing/subscription"
    assert (item["read"], item["read_at"]) == (False, None)


def test_the_unread_filter(admin_user, admin_client, company):
    read, unread = notify_in_app(company, admin_user), notify_in_app(company, admin_user)
    UserNotification.objects.filter(pk=read[0]).update(read_at=timezone.now())

    assert ids(admin_client.get(LIST, {"unread": "true"})) == unread
    assert ids(admin_client.get(LIST, {"unread": "false"})) == read
    assert ids(admin_client.get(LIST)) == unread + read


@pytest.mark.parametrize("value", ["maybe", "1", "True", "yes", ""])
def test_a_bad_unread_value_is_a_400(admin_client, value):
    response = admin_client.get(LIST, {"unread": value})
    if value == "":  # an empty filter is no filter, as everywhere else
        assert response.status_code == 200
        return
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert "unread" in response.json()["error"]["details"]


def test_the_list_is_paginated(admin_user, admin_client, company):
    made = [notify_in_app(company, admin_user)[0] for _ in range(5)]

    page = admin_client.get(LIST, {"page_size": 2}).json()
    assert page["count"] == 5
    assert [item["id"] for item in page["results"]] == made[::-1][:2]
    assert page["next"] is not None
    last = admin_client.get(LIST, {"page_size": 2, "page": 3}).json()
    assert [item["id"] for item in last["results"]] == made[:1]
    past_the_end = admin_client.get(LIST, {"page_size": 2, "page": 4})
    assert past_the_end.status_code == 404
    assert past_the_end.json()["error"]["code"] == "not_found"


# --- marking read -------------------------------------------------------------------------


def test_marking_one_read_is_idempotent(admin_user, admin_client, company):
    mine, other = notify_in_app(company, admin_user), notify_in_app(company, admin_user)

    first = admin_client.post(read_path(mine[0]), format="json")
    assert first.status_code == 200
    assert first.json()["id"] == mine[0]
    assert first.json()["read"] is True
    read_at = UserNotification.objects.get(pk=mine[0]).read_at
    assert read_at is not None

    again = admin_client.post(read_path(mine[0]), format="json")
    assert again.status_code == 200
    assert again.json() == first.json()
    assert UserNotification.objects.get(pk=mine[0]).read_at == read_at
    assert UserNotification.objects.get(pk=other[0]).read_at is None


def test_marking_read_takes_no_body(admin_user, admin_client, company):
    mine = notify_in_app(company, admin_user)[0]
    response = admin_client.post(read_path(mine), {"read_at": None}, format="json")
    assert response.status_code == 400
    assert UserNotification.objects.get(pk=mine).read_at is None


def test_another_persons_notification_is_404_and_unchanged(
    admin_user, admin_client, other_admin, company
):
    theirs = notify_in_app(company, other_admin)[0]
    before = read_states()

    response = admin_client.post(read_path(theirs), format="json")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert theirs not in ids(admin_client.get(LIST))
    assert read_states() == before


@pytest.mark.parametrize("pk", ["0", "99999999999999999999999", "abc", "-1"])
def test_ids_that_cannot_exist_are_404(admin_client, pk):
    response = admin_client.post(f"/api/notifications/{pk}/read/", format="json")
    assert response.status_code == 404


def test_read_all_marks_mine_and_says_how_many(admin_user, admin_client, other_admin, company):
    mine = notify_in_app(company, admin_user) + notify_in_app(company, admin_user)
    already = notify_in_app(company, admin_user)[0]
    admin_client.post(read_path(already), format="json")
    already_at = UserNotification.objects.get(pk=already).read_at
    theirs = notify_in_app(company, other_admin)[0]

    response = admin_client.post(READ_ALL, format="json")

    assert response.status_code == 200
    assert response.json() == {"marked_read": 2}
    assert all(UserNotification.objects.get(pk=pk).read_at for pk in mine)
    assert UserNotification.objects.get(pk=already).read_at == already_at
    assert UserNotification.objects.get(pk=theirs).read_at is None

    assert admin_client.post(READ_ALL, format="json").json() == {"marked_read": 0}


def test_a_company_whose_subscription_lapsed_can_still_read_and_mark(
    admin_user, admin_client, company
):
    company.subscription_status = SubscriptionStatus.CANCELLED
    company.save(update_fields=["subscription_status"])
    mine = notify_in_app(company, admin_user)[0]

    assert admin_client.post(read_path(mine), format="json").status_code == 200
    assert admin_client.post(READ_ALL, format="json").status_code == 200
    assert admin_client.put(PREFERENCES, {}, format="json").status_code == 200


# --- the unread count ---------------------------------------------------------------------


def test_the_unread_count(admin_user, admin_client, other_admin, company):
    notify_in_app(company, admin_user)
    read = notify_in_app(company, admin_user)[0]
    notify_in_app(company, admin_user)
    notify_in_app(company, other_admin)
    admin_client.post(read_path(read), format="json")

    assert admin_client.get(UNREAD_COUNT).json() == {"unread": 2}
    admin_client.post(READ_ALL, format="json")
    assert admin_client.get(UNREAD_COUNT).json() == {"unread": 0}


def test_the_unread_count_is_one_count_query_however_many_there_are(
    admin_user, admin_client, company, django_assert_num_queries, plans_cached
):
    notify_in_app(company, admin_user)
    admin_client.get(UNREAD_COUNT)  # the first request warms the caches
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(UNREAD_COUNT).json() == {"unread": 1}
    for _ in range(30):
        notify_in_app(company, admin_user)

    with django_assert_num_queries(len(few.captured_queries)) as many:
        assert admin_client.get(UNREAD_COUNT).json() == {"unread": 31}

    ours = [q["sql"] for q in many.captured_queries if "notifications_" in q["sql"]]
    assert len(ours) == 1
    assert ours[0].startswith("SELECT COUNT(*)")


@pytest.mark.postgres
def test_the_partial_index_can_serve_the_unread_count(admin_user, company):
    notify_in_app(company, admin_user)
    # The selector's own filter, as the count runs it.
    queryset = UserNotification.objects.filter(
        Q(user_id=admin_user.pk, read_at__isnull=True) & in_app_scope(company_id=company.pk)
    )
    with connection.cursor() as cursor:
        # Tables this small are read whole by choice; forbidding that shows the index fits.
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = queryset.explain()
    assert "user_notification_unread" in plan
    assert user_notifications_unread_count(user_id=admin_user.pk, company_id=company.pk) == 1


# --- which company's notices --------------------------------------------------------------


def test_a_person_in_two_companies_sees_one_companys_notices_at_a_time():
    company_a, company_b = CompanyFactory(), CompanyFactory()
    person = MembershipFactory(company=company_a, role="company_admin").user
    MembershipFactory(company=company_b, role="company_admin", user=person)
    of_a = notify_in_app(company_a, person)[0]
    of_b = notify_in_app(company_b, person)[0]
    of_nobody = notify_in_app(None, person)[0]
    as_a, as_b = client_for(person, company_a.pk), client_for(person, company_b.pk)

    assert ids(as_a.get(LIST)) == [of_nobody, of_a]
    assert ids(as_b.get(LIST)) == [of_nobody, of_b]
    # Without X-Company-ID the request acts for the first company joined.
    assert ids(client_for(person).get(LIST)) == [of_nobody, of_a]
    assert as_b.get(UNREAD_COUNT).json() == {"unread": 2}

    before = read_states()
    assert as_b.post(read_path(of_a), format="json").status_code == 404
    assert read_states() == before

    assert as_b.post(READ_ALL, format="json").json() == {"marked_read": 2}
    assert UserNotification.objects.get(pk=of_a).read_at is None
    assert as_a.get(UNREAD_COUNT).json() == {"unread": 1}


def test_acting_for_no_company_shows_answers_to_applications_but_no_companys_business():
    company = CompanyFactory()
    person = UserFactory()  # an applicant turned down, or an admin since removed
    rejected = notify_in_app(company, person, category=Category.AFFILIATION_REJECTED)[0]
    business = notify_in_app(company, person)[0]
    of_nobody = notify_in_app(None, person)[0]
    api = client_for(person)

    assert ids(api.get(LIST)) == [of_nobody, rejected]
    assert api.get(UNREAD_COUNT).json() == {"unread": 2}
    assert api.post(read_path(business), format="json").status_code == 404
    assert api.post(READ_ALL, format="json").json() == {"marked_read": 2}
    assert UserNotification.objects.get(pk=business).read_at is None


def test_a_suspended_membership_reaches_nothing_of_that_company():
    company = CompanyFactory()
    person = MembershipFactory(company=company, role="marketer", is_active=False).user
    notify_in_app(company, person, category=Category.COMMISSION_APPROVED)

    assert ids(client_for(person).get(LIST)) == []
    assert client_for(person, company.pk).get(LIST).status_code == 403


# --- who may call -------------------------------------------------------------------------

ENDPOINTS = [
    ("get", LIST),
    ("post", read_path(1)),
    ("post", READ_ALL),
    ("get", UNREAD_COUNT),
    ("get", PREFERENCES),
    ("put", PREFERENCES),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_anonymous_callers_get_401(api_client, method, path):
    response = getattr(api_client, method)(path, {}, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_api_keys_are_refused(api_client, company, admin_user, method, path):
    notify_in_app(company, admin_user)
    before = read_states()
    api_client.credentials(HTTP_X_API_KEY=make_api_key(company))

    response = getattr(api_client, method)(path, {}, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert read_states() == before
    assert not NotificationPreference.objects.exists()


@pytest.mark.parametrize("role", ["company_admin", "marketer", "client"])
def test_every_role_has_its_own_list(company, role):
    person = MembershipFactory(company=company, role=role).user
    mine = notify_in_app(company, person)
    assert ids(client_for(person).get(LIST)) == mine


# --- preferences --------------------------------------------------------------------------


def test_preferences_list_every_category_with_its_channels(admin_client):
    response = admin_client.get(PREFERENCES)

    assert response.status_code == 200
    body = response.json()
    assert [item["category"] for item in body] == [category.value for category in CATEGORIES]
    by_category = {item["category"]: item for item in body}
    assert by_category["commission_paid"] == {
        "category": "commission_paid",
        "label": "Commission paid",
        "mandatory": False,
        "channels": {"email": True, "sms": True, "in_app": True},
    }
    assert by_category["weekly_summary"]["channels"] == {"email": True, "in_app": True}
    assert by_category["payment_failed"]["mandatory"] is True
    for category, info in CATEGORIES.items():
        assert set(by_category[category.value]["channels"]) == {c.value for c in info.channels}


def test_preferences_are_saved_per_channel_and_the_rest_kept(admin_user, admin_client):
    first = admin_client.put(
        PREFERENCES,
        {"weekly_summary": {"email": False}, "commission_paid": {"sms": False}},
        format="json",
    )
    assert first.status_code == 200
    answered = {item["category"]: item["channels"] for item in first.json()}
    assert answered["weekly_summary"] == {"email": False, "in_app": True}
    assert answered["commission_paid"] == {"email": True, "sms": False, "in_app": True}

    second = admin_client.put(PREFERENCES, {"weekly_summary": {"in_app": False}}, format="json")
    assert second.status_code == 200
    stored = NotificationPreference.objects.get(user=admin_user, category="weekly_summary")
    assert (stored.email, stored.in_app) == (False, False)
    sms_off = NotificationPreference.objects.get(user=admin_user, category="commission_paid")
    assert (sms_off.email, sms_off.sms, sms_off.in_app) == (True, False, True)
    assert admin_client.get(PREFERENCES).json() == second.json()

    back_on = admin_client.put(PREFERENCES, {"weekly_summary": {"email": True}}, format="json")
    channels = {item["category"]: item["channels"] for item in back_on.json()}
    assert channels["weekly_summary"] == {"email": True, "in_app": False}
    assert NotificationPreference.objects.filter(user=admin_user).count() == 2


def test_preferences_are_the_persons_own(admin_user, admin_client, other_admin):
    admin_client.put(PREFERENCES, {"weekly_summary": {"email": False}}, format="json")
    theirs = client_for(other_admin).get(PREFERENCES).json()
    assert {i["category"]: i["channels"] for i in theirs}["weekly_summary"]["email"] is True


def test_the_outbox_follows_the_preferences_saved(admin_user, admin_client, company):
    admin_client.put(PREFERENCES, {"api_limit_exceeded": {"in_app": False}}, format="json")
    notify_in_app(company, admin_user, category=Category.API_LIMIT_EXCEEDED)
    notify_in_app(company, admin_user, category=Category.SUBSCRIPTION_CHANGED)
    categories = [item["category"] for item in admin_client.get(LIST).json()["results"]]
    assert categories == ["subscription_changed"]


def test_a_mandatory_channel_cannot_be_turned_off_and_nothing_changes(admin_client):
    response = admin_client.put(
        PREFERENCES,
        {
            "weekly_summary": {"email": False},
            "payment_failed": {"sms": False, "email": True},
            "invoice_issued": {"in_app": False},
        },
        format="json",
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["details"] == {
        "payment_failed": {"sms": ["Payment failed messages cannot be turned off."]},
        "invoice_issued": {"in_app": ["Invoice issued messages cannot be turned off."]},
    }
    assert not NotificationPreference.objects.exists()


def test_a_mandatory_channel_may_be_sent_as_on(admin_client):
    response = admin_client.put(PREFERENCES, {"payment_failed": {"sms": True}}, format="json")
    assert response.status_code == 200
    assert not NotificationPreference.objects.exists()


@pytest.mark.parametrize(
    ("body", "details"),
    [
        ({"fax_alerts": {"email": False}}, {"fax_alerts": ["This field cannot be set."]}),
        (
            {"weekly_summary": {"email": False}, "commission_paid": {"fax": False}},
            {"commission_paid": {"fax": ["This field cannot be set."]}},
        ),
        # Weekly summaries are not sent by SMS: the channel is not theirs to set.
        (
            {"weekly_summary": {"sms": False}},
            {"weekly_summary": {"sms": ["This field cannot be set."]}},
        ),
        (
            {"weekly_summary": {"email": "maybe"}},
            {"weekly_summary": {"email": ["Must be a valid boolean."]}},
        ),
        (
            {"weekly_summary": {"email": None}},
            {"weekly_summary": {"email": ["This field may not be null."]}},
        ),
        ({"weekly_summary": None}, {"weekly_summary": ["This field may not be null."]}),
        ({"weekly_summary": False}, None),
        ([{"category": "weekly_summary", "channels": {"email": False}}], None),
    ],
)
def test_unknown_categories_and_channels_and_bad_values_are_400(admin_client, body, details):
    response = admin_client.put(PREFERENCES, body, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    if details is not None:
        assert response.json()["error"]["details"] == details
    assert not NotificationPreference.objects.exists()


def test_channels_a_category_does_not_use_are_refused_by_the_service_too(admin_user):
    from apps.core.errors import ValidationFailed
    from apps.notifications.services import notification_preferences_update

    with pytest.raises(ValidationFailed) as refused:
        notification_preferences_update(
            user_id=admin_user.pk, changes={Category.WEEKLY_SUMMARY: {Channel.SMS: False}}
        )
    assert refused.value.details == {
        "weekly_summary": {"sms": ["Weekly summary messages are not sent by sms."]}
    }
    assert not NotificationPreference.objects.exists()


def test_notices_older_than_a_day_keep_their_order(admin_user, admin_client, company):
    older, newer = notify_in_app(company, admin_user), notify_in_app(company, admin_user)
    UserNotification.objects.filter(pk=newer[0]).update(
        created_at=timezone.now() - timedelta(days=2)
    )
    assert ids(admin_client.get(LIST)) == older + newer
