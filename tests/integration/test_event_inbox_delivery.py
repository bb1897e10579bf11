"""Events through a service's inbox on a real broker: a redelivered event runs its handler once,
and a handler that fails is retried later instead of losing the event."""
import pytest
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter

from contracts import events
from servicekit.nameko_extensions import QuartierService, event_handler, rpc
from tests.integration.helpers import RPC_TIMEOUT

EVENT = events.USER_ERASED


class Flaky(QuartierService):
    """Handles USER_ERASED; fails while `failures_left` says so. Class-level state is fine:
    each test gets a fresh container and resets it."""

    name = "flaky_consumer"
    failures_left = 0
    handled = []

    @event_handler(EVENT)
    def on_user_erased(self, payload):
        if Flaky.failures_left > 0:
            Flaky.failures_left -= 1
            raise RuntimeError("store hiccup")
        Flaky.handled.append(payload["event_id"])

    @rpc
    def retry_now(self):
        self.event_inbox.retry_due(self)

    @rpc
    def parked(self):
        return self.event_inbox.repository.parked()


@pytest.fixture
def flaky(start_service):
    Flaky.failures_left = 0
    Flaky.handled = []
    return start_service(Flaky, EVENT_RETRY_FIRST_DELAY=0)


@pytest.fixture
def publish(rabbit_config):
    dispatch = event_dispatcher(rabbit_config)

    def send(event_id):
        payload = EVENT.payload(event_id, user_id="u1", municipality_id="m1")
        dispatch(EVENT.source, EVENT.name, payload)

    return send


def test_a_redelivered_event_is_handled_once(flaky, publish):
    for _ in range(2):
        with entrypoint_waiter(flaky, "on_user_erased", timeout=RPC_TIMEOUT):
            publish("user_erased:u1")
    assert Flaky.handled == ["user_erased:u1"]


def test_a_failing_handler_parks_the_event_and_a_retry_delivers_it(flaky, publish, cluster_rpc):
    Flaky.failures_left = 1
    with entrypoint_waiter(flaky, "on_user_erased", timeout=RPC_TIMEOUT):
        publish("user_erased:u2")
    assert Flaky.handled == []
    [parked] = cluster_rpc.flaky_consumer.parked()
    assert (parked["event_id"], parked["attempts"], parked["dead"]) == ("user_erased:u2", 1, False)
    assert "store hiccup" in parked["error"]

    cluster_rpc.flaky_consumer.retry_now()

    assert Flaky.handled == ["user_erased:u2"]
    assert cluster_rpc.flaky_consumer.parked() == []
    # Once retried successfully, a late redelivery is a duplicate.
    with entrypoint_waiter(flaky, "on_user_erased", timeout=RPC_TIMEOUT):
        publish("user_erased:u2")
    assert Flaky.handled == ["user_erased:u2"]


def test_an_event_that_keeps_failing_ends_dead_and_visible(flaky, publish, cluster_rpc):
    Flaky.failures_left = 100
    with entrypoint_waiter(flaky, "on_user_erased", timeout=RPC_TIMEOUT):
        publish("user_erased:u3")
    for _ in range(10):
        cluster_rpc.flaky_consumer.retry_now()
    [parked] = cluster_rpc.flaky_consumer.parked()
    assert parked["dead"] is True
    assert parked["attempts"] == 8
    assert Flaky.handled == []
