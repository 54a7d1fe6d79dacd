"""The trail in the admin: billing staff read it, filtered and searched; nobody changes it."""

import pytest
from django.test import Client

from apps.accounts.services import user_grant_billing_staff
from tests.accounts.factories import UserFactory
from tests.audit.helpers import entries
from tests.companies.factories import CompanyFactory
from tests.estates.factories import PlotFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/audit/auditentry/"


@pytest.fixture
def staff_client():
    staff = UserFactory()
    user_grant_billing_staff(user_id=staff.pk)
    client = Client()
    client.force_login(staff)
    return client


def test_billing_staff_read_the_trail_filtered_by_company_actor_action_and_date(staff_client):
    first, second = CompanyFactory(), CompanyFactory()
    plot = PlotFactory(company=first, plot_number="FIND-ME-1")
    PlotFactory(company=second, plot_number="OTHER-2")
    by_company = staff_client.get(CHANGELIST, {"company": first.pk})
    assert by_company.status_code == 200
    assert b"FIND-ME-1" in by_company.content and b"OTHER-2" not in by_company.content
    for params in (
        {"actor": "none"},
        {"action__exact": "0"},
        {"actor_kind__exact": "system"},
        {"q": "FIND-ME"},
        {"timestamp__gte": "2020-01-01 00:00:00+00:00"},
    ):
        response = staff_client.get(CHANGELIST, params)
        assert response.status_code == 200, params
        assert b"FIND-ME-1" in response.content, params
    entry = entries(object_pk=str(plot.pk), content_type__model="plot")[0]
    page = staff_client.get(f"{CHANGELIST}{entry.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content


def test_nobody_adds_changes_or_deletes_an_entry_in_the_admin(staff_client):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(superuser)
    PlotFactory()
    entry = entries()[0]
    assert client.get(f"{CHANGELIST}add/").status_code == 403
    assert client.post(f"{CHANGELIST}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    before = entries()
    client.post(f"{CHANGELIST}{entry.pk}/change/", {"object_repr": "forged"})
    assert [(e.pk, e.object_repr) for e in entries()] == [(e.pk, e.object_repr) for e in before]
    assert staff_client.get(f"{CHANGELIST}add/").status_code == 403
