"""API keys from the cache: a warm request with a key asks the database nothing, and each
change to the key or its company (revoked, deleted, tier, status, limits) is seen by the
very next request."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.companies.models import ApiKey, Company, SubscriptionStatus
from apps.companies.services import api_key_revoke, company_change_subscription
from tests.companies.factories import make_api_key
from tests.estates.factories import EstateFactory

pytestmark = pytest.mark.django_db

PLOTS = "/api/plots/"
USAGE = "/api/usage/"
ESTATES = "/api/estates/"
ESTATE = {"name": "Palms", "location": "Ajah", "state": "Lagos"}


@pytest.fixture
def raw_key(company):
    return make_api_key(company)


@pytest.fixture
def api(raw_key):
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=raw_key)
    return client


def the_key(raw_key):
    return ApiKey.objects.get(prefix=raw_key.split("_")[1])


def test_a_warm_key_request_asks_the_database_nothing(
    api, company, plans_cached, django_assert_num_queries
):
    EstateFactory(company=company)
    assert api.get(PLOTS).status_code == 200  # resolves the key, notes its use, caches
    with django_assert_num_queries(0):
        response = api.get(PLOTS)
    assert response.status_code == 200


def test_a_wrong_secret_with_a_cached_prefix_is_refused(api, raw_key, plans_cached):
    assert api.get(PLOTS).status_code == 200
    forged = APIClient()
    forged.credentials(HTTP_X_API_KEY=raw_key[:-2] + ("AA" if raw_key[-2:] != "AA" else "BB"))
    response = forged.get(PLOTS)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"


def test_a_revoked_key_is_refused_on_the_next_request(api, raw_key, company, commit):
    assert api.get(PLOTS).status_code == 200
    with commit():
        api_key_revoke(company_id=company.pk, api_key_id=the_key(raw_key).pk)
    response = api.get(PLOTS)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"


def test_a_deleted_key_is_refused_on_the_next_request(api, raw_key):
    assert api.get(PLOTS).status_code == 200
    the_key(raw_key).delete()
    assert api.get(PLOTS).status_code == 401


def test_a_tier_change_is_seen_by_the_next_request(api, company, plan_catalogue, commit):
    before = api.get(USAGE).json()["caller_hourly"]["limit"]
    with commit():
        company_change_subscription(company_id=company.pk, tier="enterprise")
    after = api.get(USAGE).json()["caller_hourly"]["limit"]
    assert after != before


def test_a_status_change_is_seen_by_the_next_request(api, company, plan_catalogue, commit):
    assert api.post(ESTATES, ESTATE, format="json").status_code == 201
    with commit():
        company_change_subscription(company_id=company.pk, status=SubscriptionStatus.SUSPENDED)
    assert api.post(ESTATES, {**ESTATE, "name": "Court"}, format="json").status_code == 402


def test_a_limit_change_is_seen_by_the_next_request(api, company, plan_catalogue):
    assert api.get(USAGE).json()["company_daily"]["limit"] != 777
    company = Company.objects.get(pk=company.pk)
    company.max_api_calls_daily = 777
    company.save()
    assert api.get(USAGE).json()["company_daily"]["limit"] == 777


def test_a_trial_ending_needs_no_write_to_be_seen(api, company, time_machine):
    company.subscription_status = SubscriptionStatus.TRIALING
    company.trial_ends_at = timezone.now() + timedelta(minutes=2)
    company.save()
    assert api.post(ESTATES, ESTATE, format="json").status_code == 201
    time_machine.move_to(timezone.now() + timedelta(minutes=3))
    assert api.post(ESTATES, {**ESTATE, "name": "Court"}, format="json").status_code == 402


def test_the_keys_use_is_still_noted_once_a_minute(api, raw_key, time_machine):
    assert api.get(PLOTS).status_code == 200
    first = the_key(raw_key).last_used_at
    assert first is not None
    api.get(PLOTS)
    assert the_key(raw_key).last_used_at == first
    time_machine.move_to(timezone.now() + timedelta(minutes=2))
    api.get(PLOTS)
    assert the_key(raw_key).last_used_at > first
