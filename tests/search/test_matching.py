"""A new plot and the saved searches asking to be told: found in one query over them
all, their owners told once per plot and search (in-app and email)."""

from decimal import Decimal

import pytest
from django.core import mail

from apps.companies.models import Membership
from apps.estates.services import plot_create
from apps.notifications.categories import Category, Channel
from apps.notifications.models import Notification, UserNotification
from apps.notifications.preference_changes import notification_preferences_update
from apps.notifications.receivers import saved_search_matches_tell
from apps.search.selectors import saved_searches_matching_plot
from apps.search.services import saved_search_create
from tests.companies.factories import CompanyFactory, MembershipFactory
from tests.estates.factories import EstateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def estate(company):
    return EstateFactory(
        company=company,
        name="Lekki Pearl Gardens",
        location="Lekki Phase 1, Lagos",
        state="Lagos",
        lga="Eti-Osa",
        description="Waterfront",
    )


def person(company, role="client"):
    return MembershipFactory(company=company, role=role).user


def saved(company, owner, name="s", query="", notify=True, **filters):
    return saved_search_create(
        company_id=company.pk,
        owner_id=owner.pk,
        name=name,
        query=query,
        filters=filters,
        notify=notify,
    )


def new_plot(company, estate, commit, number="A-1", price="12000000", size="600"):
    with commit():
        return plot_create(
            company_id=company.pk,
            estate_id=estate.pk,
            plot_number=number,
            size_sqm=Decimal(size),
            price=Decimal(price),
        )


def test_owners_of_matching_searches_are_told_once(company, estate, commit):
    matching = [
        saved(company, person(company), query="lekki gard"),
        saved(company, person(company, "marketer"), state="Lagos", max_price="15000000"),
        saved(company, person(company), lga="eti-osa", location="phase 1", estate=str(estate.pk)),
        saved(company, person(company), min_price_per_sqm="19000", max_price_per_sqm="21000"),
        saved(company, person(company), query="waterfront", status="available", min_size="500"),
    ]
    not_matching = [
        saved(company, person(company), query="ikeja"),
        saved(company, person(company), query="lekki", notify=False),
        saved(company, person(company), state="Ogun"),
        saved(company, person(company), max_price="10000000"),
        saved(company, person(company), min_size="700"),
        saved(company, person(company), status="reserved"),
        saved(company, person(company), location="ajah"),
        saved(company, person(company), estate=str(EstateFactory(company=company).pk)),
        saved(company, person(company), created_since="2999-01-01"),
    ]
    gone = person(company)
    saved(company, gone, query="lekki")
    Membership.objects.filter(company=company, user=gone).update(is_active=False)
    other_company = CompanyFactory()
    saved(other_company, person(other_company), query="lekki")

    plot = new_plot(company, estate, commit)

    told = Notification.objects.filter(category="saved_search_match")
    assert sorted(told.values_list("key", flat=True)) == sorted(
        f"saved_search_match:{search.pk}:{plot.pk}" for search in matching
    )
    assert sorted(UserNotification.objects.values_list("user_id", flat=True)) == sorted(
        search.owner_id for search in matching
    )
    assert {n.company_id for n in told} == {company.pk}
    assert len(mail.outbox) == len(matching)
    assert "A-1" in told.first().body
    assert not_matching  # none of these was told (checked through the keys above)

    saved_search_matches_tell(company_id=company.pk, plot_id=plot.pk)  # again: nothing new
    assert told.count() == len(matching)


def test_matching_costs_the_same_queries_however_many_searches(
    company, estate, commit, django_assert_num_queries
):
    owners = [person(company) for _ in range(3)]
    for index, owner in enumerate(owners):
        saved(company, owner, name=f"a{index}", query="lekki")
    plot = new_plot(company, estate, commit)
    # The plot, the saved searches, the owners still members.
    with django_assert_num_queries(3):
        few = saved_searches_matching_plot(company_id=company.pk, plot_id=plot.pk)
    for index in range(30):
        saved(company, owners[index % 3], name=f"b{index}", query="pearl")
    with django_assert_num_queries(3):
        many = saved_searches_matching_plot(company_id=company.pk, plot_id=plot.pk)
    assert (len(few.matches), len(many.matches)) == (3, 33)


def test_no_plot_of_the_company_matches_nothing(company, estate):
    other = EstateFactory(company=CompanyFactory())
    assert saved_searches_matching_plot(company_id=company.pk, plot_id=10**9) is None
    assert saved_searches_matching_plot(company_id=company.pk, plot_id=other.pk) is None


@pytest.mark.postgres
def test_postgres_matches_words_as_prefixes_with_the_stored_vector(company, estate, commit):
    prefix = saved(company, person(company), query="lek pea")
    number = saved(company, person(company), query="a-1")
    missing = saved(company, person(company), query="lekki ikoyi")
    plot = new_plot(company, estate, commit)
    found = saved_searches_matching_plot(company_id=company.pk, plot_id=plot.pk)
    assert {m.saved_search_id for m in found.matches} == {prefix.pk, number.pk}
    assert missing.pk not in {m.saved_search_id for m in found.matches}


def test_an_owner_who_turned_email_off_is_told_in_the_app_only(company, estate, commit):
    quiet, keen = person(company), person(company, "marketer")
    notification_preferences_update(
        user_id=quiet.pk, changes={Category.SAVED_SEARCH_MATCH: {Channel.EMAIL: False}}
    )
    saved(company, quiet, query="lekki")
    saved(company, keen, query="lekki")

    plot = new_plot(company, estate, commit)

    told = UserNotification.objects.filter(notification__key__endswith=f":{plot.pk}")
    assert sorted(told.values_list("user_id", flat=True)) == sorted([quiet.pk, keen.pk])
    assert [message.to for message in mail.outbox] == [[keen.email]]
