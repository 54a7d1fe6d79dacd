"""Activity events: captured without a database write in the request, flushed in bulk,
at most once, and pruned after the retention period."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from apps.analytics import tasks
from apps.analytics.events.buffer import (
    Event,
    LocalEventBuffer,
    RedisEventBuffer,
    event_buffer,
    local_buffer,
)
from apps.analytics.models import AnalyticsEvent
from apps.analytics.services import events_flush, events_prune
from apps.billing.services import invoice_pdf_download
from tests.accounts.factories import PASSWORD
from tests.billing.factories import issued_invoice
from tests.companies.factories import MembershipFactory
from tests.conftest import client_for
from tests.estates.factories import ClientFactory, EstateFactory, PlotFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def plot(company):
    return PlotFactory(estate=EstateFactory(company=company))


def kinds() -> list[tuple[str, str, int | None]]:
    return sorted(AnalyticsEvent.objects.values_list("kind", "role", "object_id"))


def test_views_searches_and_exports_are_buffered_then_written_in_bulk(
    company, admin_client, plot, django_assert_num_queries
):
    client_user = ClientFactory(company=company).user
    as_client = client_for(client_user)
    assert as_client.get(f"/api/plots/{plot.pk}/").status_code == 200
    assert as_client.get(f"/api/estates/{plot.estate_id}/").status_code == 200
    assert as_client.get("/api/plots/search/", {"q": "x"}).status_code == 200
    assert admin_client.get("/api/audit/logs/export/").status_code == 200
    assert admin_client.get("/api/analytics/sales/export/").status_code == 200
    # Not captured: a list, a 404, a refused export, a write.
    admin_client.get("/api/plots/")
    admin_client.get("/api/plots/999999/")
    as_client.get("/api/analytics/sales/export/")
    assert not AnalyticsEvent.objects.exists()  # nothing written in a request

    with django_assert_num_queries(3):  # one INSERT, in a savepoint here
        assert events_flush() == 5
    assert kinds() == [
        ("estate_view", "client", plot.estate_id),
        ("export", "company_admin", None),
        ("export", "company_admin", None),
        ("plot_view", "client", plot.pk),
        ("search", "client", None),
    ]
    assert set(AnalyticsEvent.objects.values_list("company_id", flat=True)) == {company.pk}
    view = AnalyticsEvent.objects.get(kind="plot_view")
    assert view.user_id == client_user.pk
    exports = AnalyticsEvent.objects.filter(kind="export").values_list("metadata", flat=True)
    assert sorted(m["what"] for m in exports) == ["analytics_sales", "audit_log"]
    assert events_flush() == 0


def test_a_login_is_an_event_for_each_company_the_person_acts_for(api_client, company):
    membership = MembershipFactory(company=company, role="marketer")
    MembershipFactory(user=membership.user, role="client")
    response = api_client.post(
        "/api/auth/login/", {"email": membership.user.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    assert tasks.flush_events() == 2
    assert sorted(AnalyticsEvent.objects.values_list("role", flat=True)) == ["client", "marketer"]


def test_an_invoice_pdf_download_is_an_export(company, admin_user, commit):
    invoice = issued_invoice(company)
    with commit():
        invoice_pdf_download(company_id=company.pk, invoice_id=invoice.pk, user_id=admin_user.pk)
    assert events_flush() == 1
    event = AnalyticsEvent.objects.get()
    assert (event.kind, event.object_id, event.metadata) == (
        "export",
        invoice.pk,
        {"what": "invoice_pdf"},
    )


@override_settings(ANALYTICS_CAPTURE_EVENTS=False)
def test_capture_can_be_turned_off(company, admin_client, plot):
    admin_client.get(f"/api/plots/{plot.pk}/")
    assert events_flush() == 0


def test_a_flush_that_fails_leaves_its_events_to_the_next(company, admin_client, plot, monkeypatch):
    admin_client.get(f"/api/plots/{plot.pk}/")
    buffer = event_buffer()
    taken = buffer.take()  # a flush that died before writing
    assert len(taken) == 1
    admin_client.get(f"/api/plots/{plot.pk}/")
    assert events_flush() == 2
    assert AnalyticsEvent.objects.count() == 2


def test_an_event_flushed_twice_is_written_once(company):
    event = Event(company_id=company.pk, kind="login", occurred_at=timezone.now())
    buffer = event_buffer()
    buffer.add(event)
    assert events_flush() == 1
    buffer.add(event)  # the same event again (a flush that wrote but did not forget it)
    assert events_flush() == 1
    assert AnalyticsEvent.objects.count() == 1


@override_settings(ANALYTICS_LOCAL_BUFFER_MAX=3)
def test_the_embedded_buffer_is_bounded():
    buffer = LocalEventBuffer()
    for number in range(5):
        buffer.add(Event(company_id=number, kind="login", occurred_at=timezone.now()))
    assert [event.company_id for event in buffer.take()] == [2, 3, 4]
    assert buffer.dropped == 2


@override_settings(ANALYTICS_FLUSH_AFTER_RESPONSE=True, ANALYTICS_LOCAL_FLUSH_EVENTS=3)
def test_without_redis_a_requests_end_writes_the_buffer_once_enough_wait(
    company, admin_client, plot, settings
):
    if "redis" in settings.CACHES["default"]["BACKEND"].lower():
        pytest.skip("with Redis, beat's flush writes the events")
    for _ in range(2):
        admin_client.get(f"/api/plots/{plot.pk}/")
    assert not AnalyticsEvent.objects.exists()
    admin_client.get(f"/api/plots/{plot.pk}/")  # the third: written after its response
    assert AnalyticsEvent.objects.count() == 3
    assert local_buffer().take() == []


def test_old_events_are_pruned(company, settings):
    now = timezone.now()
    keep = settings.ANALYTICS_EVENT_RETENTION_DAYS
    for age in (keep + 10, keep + 1, keep - 1, 0):
        local_or_redis = event_buffer()
        local_or_redis.add(
            Event(company_id=company.pk, kind="login", occurred_at=now - timedelta(days=age))
        )
    events_flush()
    assert events_prune(now=now) == 2
    assert AnalyticsEvent.objects.count() == 2
    assert tasks.prune_events() == 0


@pytest.mark.redis
@pytest.mark.postgres
def test_redis_buffer_keeps_events_pushed_during_a_flush(company, admin_client, plot):
    assert isinstance(event_buffer(), RedisEventBuffer)
    admin_client.get(f"/api/plots/{plot.pk}/")
    buffer = RedisEventBuffer()
    taken = buffer.take()
    admin_client.get(f"/api/plots/{plot.pk}/")  # pushed while the flush runs
    assert len(taken) == 1
    # The flush failed before done(): the next takes its leftovers and the new event.
    assert events_flush() == 2
    assert AnalyticsEvent.objects.filter(kind="plot_view").count() == 2
    assert events_flush() == 0
    assert not buffer.redis.keys(f"{buffer.key}*")
