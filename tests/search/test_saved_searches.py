"""A person's saved searches: save, list, rename, notify on/off, delete; validated like
the search; another person's or company's answer 404."""

import pytest

from apps.search.models import SavedSearch
from tests.companies.factories import CompanyFactory, MembershipFactory, make_api_key
from tests.conftest import client_for
from tests.estates.factories import EstateFactory

pytestmark = pytest.mark.django_db

URL = "/api/search/saved/"


@pytest.fixture
def marketer(company):
    return MembershipFactory(company=company, role="marketer").user


@pytest.fixture
def marketer_client(marketer):
    return client_for(marketer)


def save(client, **body):
    return client.post(URL, {"name": "Lekki under 20m", **body}, format="json")


def test_a_marketer_saves_lists_renames_and_deletes(marketer_client, marketer, company):
    estate = EstateFactory(company=company)
    created = save(
        marketer_client,
        query="  Lekki  gardens ",
        filters={"state": "Lagos", "max_price": "20000000", "estate": estate.pk},
        notify=True,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["query"] == "Lekki  gardens"
    assert body["filters"] == {"state": "Lagos", "max_price": "20000000", "estate": str(estate.pk)}
    saved = SavedSearch.objects.get(pk=body["id"])
    assert (saved.company_id, saved.owner_id, saved.notify) == (company.pk, marketer.pk, True)
    assert (saved.state, saved.match_terms, saved.estate_id) == (
        "lagos",
        "lekki gardens",
        estate.pk,
    )
    assert saved.match_query == "'lekki':* & 'gardens':*"

    assert [row["id"] for row in marketer_client.get(URL).json()["results"]] == [saved.pk]

    renamed = marketer_client.patch(
        f"{URL}{saved.pk}/", {"name": "Lekki", "notify": False}, format="json"
    )
    assert renamed.status_code == 200, renamed.content
    saved.refresh_from_db()
    assert (saved.name, saved.notify) == ("Lekki", False)

    assert marketer_client.delete(f"{URL}{saved.pk}/").status_code == 204
    assert not SavedSearch.objects.exists()


def test_a_client_may_save_too(company):
    client = client_for(MembershipFactory(company=company, role="client").user)
    assert save(client, query="ikeja").status_code == 201


@pytest.mark.parametrize(
    ("filters", "bad"),
    [
        ({"state": "Atlantis"}, "state"),
        ({"min_price_per_sqm": "cheap"}, "min_price_per_sqm"),
        ({"created_since": "2026-02-30"}, "created_since"),
        ({"colour": "blue"}, "colour"),
        ({"q": "lekki"}, "q"),
        ({"page": "2"}, "page"),
    ],
)
def test_bad_filters_are_a_400_naming_them_and_save_nothing(marketer_client, filters, bad):
    response = save(marketer_client, filters=filters)
    assert response.status_code == 400, response.content
    assert bad in response.json()["error"]["details"]["filters"]
    assert not SavedSearch.objects.exists()


def test_a_bad_query_or_name_is_a_400(marketer_client):
    assert save(marketer_client, query="x" * 101).status_code == 400
    assert save(marketer_client, query="a\x00b").status_code == 400
    assert save(marketer_client, name="").status_code == 400
    assert save(marketer_client, owner=1).status_code == 400  # not writable
    assert not SavedSearch.objects.exists()


def test_a_name_is_used_once_per_person(marketer_client, company):
    assert save(marketer_client).status_code == 201
    duplicate = save(marketer_client)
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["code"] == "duplicate_saved_search"
    other = client_for(MembershipFactory(company=company, role="marketer").user)
    assert save(other).status_code == 201  # another person may use the name


def test_a_person_keeps_a_bounded_number(marketer_client, monkeypatch):
    monkeypatch.setattr("apps.search.services.MAX_SAVED_SEARCHES", 2)
    assert save(marketer_client, name="one").status_code == 201
    assert save(marketer_client, name="two").status_code == 201
    refused = save(marketer_client, name="three")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "too_many_saved_searches"
    assert SavedSearch.objects.count() == 2


def test_another_persons_saved_search_is_404_and_untouched(marketer_client, company):
    colleague = client_for(MembershipFactory(company=company, role="marketer").user)
    theirs = save(colleague).json()["id"]
    assert marketer_client.get(f"{URL}{theirs}/").status_code == 404
    assert marketer_client.patch(f"{URL}{theirs}/", {"name": "x"}, format="json").status_code == 404
    assert marketer_client.delete(f"{URL}{theirs}/").status_code == 404
    assert marketer_client.get(URL).json()["results"] == []
    assert SavedSearch.objects.get(pk=theirs).name == "Lekki under 20m"


def test_the_same_person_sees_only_the_saved_searches_of_the_company_acted_for(marketer):
    first, second = CompanyFactory(), CompanyFactory()
    MembershipFactory(company=first, user=marketer, role="marketer")
    MembershipFactory(company=second, user=marketer, role="marketer")
    in_first = save(client_for(marketer, first.pk)).json()["id"]
    assert client_for(marketer, second.pk).get(URL).json()["results"] == []
    assert client_for(marketer, second.pk).get(f"{URL}{in_first}/").status_code == 404


def test_api_keys_have_no_saved_searches(company):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_X_API_KEY=make_api_key(company, name="k"))
    response = client.get(URL)
    assert response.status_code == 403
