"""Identity over a real broker: municipalities are created idempotently, announced at least once, and
shown only to those allowed to see them."""
import pytest
from nameko.events import event_handler
from nameko.testing.services import entrypoint_waiter

from contracts import errors, events
from contracts.caller import ADMIN, RESIDENT, SYSTEM_CALLER, Caller
from services.identity.service import IdentityService
from tests.integration.helpers import RPC_ERRORS, RPC_TIMEOUT, domain_error_code

SYSTEM = SYSTEM_CALLER.to_dict()


class MunicipalityCreatedListener:
    """Stands in for a downstream service subscribing to identity's event."""

    name = "test_municipality_listener"

    @event_handler(events.MUNICIPALITY_CREATED.source, events.MUNICIPALITY_CREATED.name)
    def on_created(self, payload):
        return payload


@pytest.fixture
def identity(start_service, cluster_rpc):
    start_service(IdentityService)
    return cluster_rpc.identity


@pytest.fixture
def listener(start_service):
    """Started before anything is created, so its queue exists when identity dispatches. One
    worker: events are handled strictly in the order they were published."""
    return start_service(MunicipalityCreatedListener, max_workers=1)


def handled_until(listener, name):
    """entrypoint_waiter that completes once the event announcing municipality `name` has been
    handled; `.seen` lists every event handled meanwhile, in order."""
    seen = []

    def is_the_one(worker_ctx, result, exc_info):
        seen.append(result)
        return result is not None and result["name"] == name

    waiter = entrypoint_waiter(listener, "on_created", callback=is_the_one, timeout=RPC_TIMEOUT)
    waiter.seen = seen
    return waiter


def create(identity, slug, name=None, caller=SYSTEM, **fields):
    return identity.create_municipality(caller=caller, slug=slug,
                                        name=name or slug.title(), **fields)


def resident_of(municipality_id, role=RESIDENT):
    return Caller(user_id="u-" + municipality_id[:6], role=role,
                  municipality_id=municipality_id).to_dict()


def error_code(call, *args, **kwargs):
    with pytest.raises(RPC_ERRORS) as raised:
        call(*args, **kwargs)
    return domain_error_code(raised.value)


def test_created_municipality_is_returned_and_announced(identity, listener):
    with entrypoint_waiter(listener, "on_created", timeout=RPC_TIMEOUT) as event:
        created = create(identity, "esch-sur-alzette", "Esch-sur-Alzette",
                         activation_threshold=12, languages=["fr", "lb", "pt"])

    assert created["slug"] == "esch-sur-alzette"
    assert created["name"] == "Esch-sur-Alzette"
    assert created["activation_threshold"] == 12
    assert created["languages"] == ["fr", "lb", "pt"]
    assert event.get() == {
        "municipality_id": created["id"],
        "name": "Esch-sur-Alzette",
        "activation_threshold": 12,
        "event_id": "municipality_created:" + created["id"],
        "schema_version": events.MUNICIPALITY_CREATED.schema_version,
    }
    assert identity.get_municipality(caller=SYSTEM, municipality_id=created["id"]) == created


def test_replayed_create_returns_the_same_municipality_and_repeats_the_same_event(
        identity, listener):
    """At-least-once: a replay (say, after a crash between storing and dispatching) dispatches
    again, with the same event_id, so consumers deduplicate and nothing is ever lost."""
    first_events = handled_until(listener, "Dudelange")
    with first_events:
        first = create(identity, "dudelange")
    first_event = first_events.seen[-1]

    events_meanwhile = handled_until(listener, "Differdange")
    with events_meanwhile:
        replay = create(identity, "dudelange")
        later = create(identity, "differdange")

    assert replay == first
    seen = [(event["municipality_id"], event["event_id"]) for event in events_meanwhile.seen]
    assert seen == [(first["id"], first_event["event_id"]), (later["id"], seen[-1][1])]


def test_same_slug_with_a_different_definition_is_a_conflict(identity):
    create(identity, "mersch", "Mersch")

    assert error_code(create, identity, "mersch", "Mersch-Ville") == errors.CONFLICT
    assert identity.list_municipalities(caller=SYSTEM)["items"][0]["name"] == "Mersch"


@pytest.mark.parametrize("role", [RESIDENT, ADMIN])
def test_only_the_platform_may_create_a_municipality(identity, role):
    own = create(identity, "wiltz")

    code = error_code(create, identity, "clervaux", caller=resident_of(own["id"], role))

    assert code == errors.FORBIDDEN
    assert [m["slug"] for m in identity.list_municipalities(caller=SYSTEM)["items"]] == ["wiltz"]


def test_invalid_municipality_is_refused_before_anything_is_stored(identity):
    assert error_code(create, identity, "Not A Slug") == errors.INVALID
    assert error_code(create, identity, "ok-slug", languages=["xx"]) == errors.INVALID
    assert identity.list_municipalities(caller=SYSTEM)["items"] == []


def test_members_see_their_own_municipality_and_nothing_of_others(identity):
    own = create(identity, "vianden")
    other = create(identity, "beaufort")
    resident = resident_of(own["id"])

    assert identity.get_municipality(caller=resident, municipality_id=own["id"]) == own
    hidden = error_code(identity.get_municipality, caller=resident, municipality_id=other["id"])
    missing = error_code(identity.get_municipality, caller=resident, municipality_id="f" * 32)
    anonymous = error_code(identity.get_municipality, caller=None, municipality_id=own["id"])

    assert hidden == missing == anonymous == errors.NOT_FOUND


def test_platform_pages_through_every_municipality_in_slug_order(identity):
    slugs = ["commune-%d" % i for i in range(5)]
    for slug in reversed(slugs):
        create(identity, slug)

    seen, cursor, pages = [], None, 0
    while True:
        page = identity.list_municipalities(caller=SYSTEM, cursor=cursor, limit=2)
        pages += 1
        seen += [m["slug"] for m in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == slugs
    assert pages == 3


def test_a_member_lists_only_their_own_municipality(identity):
    own = create(identity, "mersch")
    create(identity, "wiltz")

    listed = identity.list_municipalities(caller=resident_of(own["id"]), limit=10)
    nobody = identity.list_municipalities(caller=Caller(user_id="x", role=RESIDENT).to_dict())

    assert listed == {"items": [own], "next_cursor": None}
    assert nobody == {"items": [], "next_cursor": None}


@pytest.mark.parametrize("arguments", [{"cursor": "%%%"}, {"limit": 0}, {"limit": 101}])
def test_malformed_paging_is_an_invalid_request(identity, arguments):
    assert error_code(identity.list_municipalities, caller=SYSTEM, **arguments) == errors.INVALID
