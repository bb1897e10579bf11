"""An event about a person that arrives after their erasure (delivered late, or retried from the
parking) must not leave their data behind: the service runs its erasure again after it."""
import pytest
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter

from contracts import events
from servicekit.nameko_extensions import QuartierService, event_handler
from tests.integration.helpers import RPC_TIMEOUT


class Directory(QuartierService):
    """Keeps display names from registrations; forgets them on erasure."""

    name = "late_directory"
    names = {}
    erasures = []

    @event_handler(events.USER_REGISTERED)
    def on_user_registered(self, payload):
        Directory.names[payload["user_id"]] = payload["display_name"]

    @event_handler(events.USER_ERASED)
    def on_user_erased(self, payload):
        Directory.names.pop(payload["user_id"], None)
        Directory.erasures.append(payload["user_id"])


@pytest.fixture
def directory(start_service):
    Directory.names, Directory.erasures = {}, []
    return start_service(Directory)


@pytest.fixture
def dispatch(rabbit_config):
    return event_dispatcher(rabbit_config)


def registered(user_id, name):
    return events.USER_REGISTERED.payload(
        "user_registered:" + user_id, user_id=user_id, municipality_id="m1", household_id="h1",
        neighbourhood_id="n1", role="resident", display_name=name, street="Rue Haute")


def erased(user_id):
    return events.USER_ERASED.payload("user_erased:" + user_id, user_id=user_id,
                                      municipality_id="m1")


def test_a_registration_arriving_after_the_erasure_is_erased_again(directory, dispatch):
    with entrypoint_waiter(directory, "on_user_erased", timeout=RPC_TIMEOUT):
        dispatch(events.USER_ERASED.source, events.USER_ERASED.name, erased("u1"))
    with entrypoint_waiter(directory, "on_user_registered", timeout=RPC_TIMEOUT):
        dispatch(events.USER_REGISTERED.source, events.USER_REGISTERED.name,
                 registered("u1", "Erin Late"))

    assert "u1" not in Directory.names
    assert Directory.erasures == ["u1", "u1"]


def test_someone_never_erased_is_left_alone(directory, dispatch):
    with entrypoint_waiter(directory, "on_user_registered", timeout=RPC_TIMEOUT):
        dispatch(events.USER_REGISTERED.source, events.USER_REGISTERED.name,
                 registered("u2", "Nora Stays"))
    assert Directory.names == {"u2": "Nora Stays"} and Directory.erasures == []
