import pytest
from django.db import transaction
from django.dispatch import Signal

from apps.core.events import publish

pytestmark = pytest.mark.django_db(transaction=True)


def test_event_is_sent_only_after_commit():
    signal = Signal()
    received = []
    signal.connect(lambda sender, **payload: received.append(payload), weak=False)

    with transaction.atomic():
        publish(signal, sender=object, company_id=7, tier="starter")
        assert received == []
    assert received == [{"signal": signal, "company_id": 7, "tier": "starter"}]


def test_event_is_not_sent_when_the_transaction_rolls_back():
    signal = Signal()
    received = []
    signal.connect(lambda sender, **payload: received.append(payload), weak=False)

    with pytest.raises(RuntimeError), transaction.atomic():
        publish(signal, sender=object, company_id=7)
        raise RuntimeError("rolled back")
    assert received == []


def _failing_receiver(sender, **payload):
    raise ValueError("receiver bug")


def test_failing_receiver_is_reraised_under_tests(settings):
    settings.EVENTS_RAISE_RECEIVER_ERRORS = True
    signal = Signal()
    signal.connect(_failing_receiver, weak=False)
    with pytest.raises(ValueError, match="receiver bug"):
        publish(signal, sender=object, company_id=1)


def test_failing_receiver_does_not_break_the_sender_or_other_receivers(settings, caplog):
    settings.EVENTS_RAISE_RECEIVER_ERRORS = False
    signal = Signal()
    received = []
    signal.connect(_failing_receiver, weak=False)
    signal.connect(lambda sender, **payload: received.append(payload["company_id"]), weak=False)

    publish(signal, sender=object, company_id=1)

    assert received == [1]
    [logged] = [record for record in caplog.records if record.name == "apps.core.events"]
    assert logged.exc_info is not None
    assert str(logged.exc_info[1]) == "receiver bug"
