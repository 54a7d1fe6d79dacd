import pytest

from apps.analytics.events.buffer import local_buffer


@pytest.fixture(autouse=True)
def _empty_local_event_buffer():
    # Other tests' requests leave events in this process's buffer (the Redis one is
    # emptied with the cache).
    local_buffer().clear()
