"""Neighbourhood over a real broker: identity's events in → membership, activation announced once,
the neighbour list, following adjacent neighbourhoods only, erasure, malformed messages parked."""
import uuid

import pytest
from nameko.events import event_handler
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter

from contracts import errors, events, services
from contracts.caller import CITY_STAFF, RESIDENT, SYSTEM_CALLER, Caller
from services.neighbourhood.service import NeighbourhoodService
from tests import neighbourhood_grid as grid
from tests.integration.helpers import RPC_ERRORS, RPC_TIMEOUT, domain_error_code

SYSTEM = SYSTEM_CALLER.to_dict()
MUNICIPALITY = "m-" + "1" * 30


class NeighbourhoodEvents:
    """Stands in for the services that subscribe to neighbourhood's events."""

    name = "test_neighbourhood_listener"
    received = []

    @event_handler(services.NEIGHBOURHOOD, events.MEMBER_JOINED.name)
    def on_joined(self, payload):
        self.received.append((events.MEMBER_JOINED.name, payload))

    @event_handler(services.NEIGHBOURHOOD, events.MEMBER_LEFT.name)
    def on_left(self, payload):
        self.received.append((events.MEMBER_LEFT.name, payload))

    @event_handler(services.NEIGHBOURHOOD, events.NEIGHBOURHOOD_ACTIVATED.name)
    def on_activated(self, payload):
        self.received.append((events.NEIGHBOURHOOD_ACTIVATED.name, payload))


@pytest.fixture
def listener(start_service):
    NeighbourhoodEvents.received = []
    return start_service(NeighbourhoodEvents, max_workers=1)


@pytest.fixture
def container(start_service, listener):
    return start_service(NeighbourhoodService)


@pytest.fixture
def neighbourhood(container, cluster_rpc):
    return cluster_rpc.neighbourhood


@pytest.fixture
def dispatch(rabbit_config):
    return event_dispatcher(rabbit_config)


@pytest.fixture
def cells(neighbourhood):
    """A 1 x 3 strip imported for MUNICIPALITY: {code: id}. r0c0 and r0c2 are not adjacent."""
    report = neighbourhood.import_neighbourhoods(
        caller=SYSTEM, municipality_id=MUNICIPALITY, collection=grid.grid(1, 3))
    return {n["code"]: n["id"] for n in report["neighbourhoods"]}


def deliver(container, dispatch, event, handler, event_id=None, **fields):
    """Publish an identity event and wait until the neighbourhood service handled it."""
    payload = event.payload(event_id or uuid.uuid4().hex, **fields)
    with entrypoint_waiter(container, handler, timeout=RPC_TIMEOUT):
        dispatch(event.source, event.name, payload)
    return payload


def register(container, dispatch, user_id, neighbourhood_id, household_id=None,
             display_name="Marie Dupont", street="Rue Haute", event_id=None):
    return deliver(container, dispatch, events.USER_REGISTERED, "on_user_registered",
                   event_id=event_id, user_id=user_id, municipality_id=MUNICIPALITY,
                   household_id=household_id or "h-" + user_id, neighbourhood_id=neighbourhood_id,
                   role=RESIDENT, display_name=display_name, street=street)


def resident(user_id, neighbourhood_id=None):
    return Caller(user_id=user_id, role=RESIDENT, municipality_id=MUNICIPALITY,
                  neighbourhood_id=neighbourhood_id).to_dict()


def error_code(call, **kwargs):
    with pytest.raises(RPC_ERRORS) as raised:
        call(**kwargs)
    return domain_error_code(raised.value)


def received(name):
    return [payload for kind, payload in NeighbourhoodEvents.received if kind == name]


def test_registered_residents_appear_in_their_neighbour_list_by_first_name_and_street(
        container, neighbourhood, dispatch, cells, listener):
    with entrypoint_waiter(listener, "on_joined", timeout=RPC_TIMEOUT):
        register(container, dispatch, "u1", cells["r0c0"], display_name="Marie Dupont",
                 street="Rue Haute")
    register(container, dispatch, "u2", cells["r0c0"], display_name="Jean-Luc Picard",
             street="Avenue de la Gare")
    register(container, dispatch, "u3", cells["r0c1"])

    listed = neighbourhood.list_members(caller=resident("u1"), neighbourhood_id=cells["r0c0"])

    assert listed == {"items": [
        {"user_id": "u2", "first_name": "Jean-Luc", "street": "Avenue de la Gare"},
        {"user_id": "u1", "first_name": "Marie", "street": "Rue Haute"},
    ], "next_cursor": None}
    assert received(events.MEMBER_JOINED.name)[0]["event_id"] == "member_joined:u1:" + cells["r0c0"]


def test_a_replayed_registration_changes_nothing(container, neighbourhood, dispatch, cells):
    first = register(container, dispatch, "u1", cells["r0c0"])
    register(container, dispatch, "u1", cells["r0c0"], event_id=first["event_id"])
    register(container, dispatch, "u1", cells["r0c0"], display_name="Someone Else")

    listed = neighbourhood.list_members(caller=resident("u1"), neighbourhood_id=cells["r0c0"])
    counts = {n["id"]: n["households"] for n in neighbourhood.list_neighbourhoods(
        caller=resident("u1"))["items"]}

    assert [m["first_name"] for m in listed["items"]] == ["Marie"]
    assert counts[cells["r0c0"]] == 1


def test_a_neighbourhood_opens_once_at_its_municipality_s_household_threshold(
        container, neighbourhood, dispatch, cells):
    deliver(container, dispatch, events.MUNICIPALITY_CREATED, "on_municipality_created",
            municipality_id=MUNICIPALITY, name="Mersch", activation_threshold=2)
    home = cells["r0c1"]

    register(container, dispatch, "u1", home, household_id="h1")
    register(container, dispatch, "u2", home, household_id="h1")  # co-resident: same household
    state_before = neighbourhood.get_neighbourhood(caller=resident("u1"), neighbourhood_id=home)
    register(container, dispatch, "u3", home, household_id="h2")
    register(container, dispatch, "u4", home, household_id="h3")

    opened = neighbourhood.get_neighbourhood(caller=resident("u1"), neighbourhood_id=home)
    assert state_before["properties"]["state"] == "pending"
    assert opened["properties"]["state"] == "active"
    assert opened["properties"]["households"] == 3
    assert received(events.NEIGHBOURHOOD_ACTIVATED.name) == [{
        "neighbourhood_id": home, "municipality_id": MUNICIPALITY,
        "event_id": "neighbourhood_activated:" + home,
        "schema_version": events.NEIGHBOURHOOD_ACTIVATED.schema_version,
    }]


def test_a_lower_threshold_announced_late_opens_a_neighbourhood_at_once(
        container, neighbourhood, dispatch, cells):
    register(container, dispatch, "u1", cells["r0c0"])

    deliver(container, dispatch, events.MUNICIPALITY_CREATED, "on_municipality_created",
            municipality_id=MUNICIPALITY, name="Mersch", activation_threshold=1)

    states = {n["id"]: n["state"] for n in neighbourhood.list_neighbourhoods(
        caller=resident("u1"))["items"]}
    assert states == {cells["r0c0"]: "active", cells["r0c1"]: "pending",
                      cells["r0c2"]: "pending"}


def test_residents_follow_adjacent_neighbourhoods_only_and_can_stop(
        container, neighbourhood, dispatch, cells):
    register(container, dispatch, "u1", cells["r0c0"])
    register(container, dispatch, "u2", cells["r0c1"])
    me = resident("u1")

    hidden = error_code(neighbourhood.list_members, caller=me, neighbourhood_id=cells["r0c1"])
    far = error_code(neighbourhood.follow, caller=me, neighbourhood_id=cells["r0c2"])
    followed = neighbourhood.follow(caller=me, neighbourhood_id=cells["r0c1"])
    again = neighbourhood.follow(caller=me, neighbourhood_id=cells["r0c1"])
    visible_while_following = neighbourhood.visible_neighbourhood_ids(caller=me)
    neighbours = neighbourhood.list_members(caller=me, neighbourhood_id=cells["r0c1"])
    neighbourhood.unfollow(caller=me, neighbourhood_id=cells["r0c1"])
    neighbourhood.unfollow(caller=me, neighbourhood_id=cells["r0c1"])

    assert hidden == errors.NOT_FOUND
    assert far == errors.INVALID
    assert followed == again == {"neighbourhood_id": cells["r0c1"], "following": True}
    assert visible_while_following == [cells["r0c0"], cells["r0c1"]]
    assert [m["user_id"] for m in neighbours["items"]] == ["u2"]
    assert neighbourhood.visible_neighbourhood_ids(caller=me) == [cells["r0c0"]]
    assert neighbourhood.can_see(caller=me, neighbourhood_id=cells["r0c1"]) is False
    assert error_code(neighbourhood.get_neighbourhood, caller=me,
                      neighbourhood_id=cells["r0c1"]) == errors.NOT_FOUND


def test_the_city_sees_counts_but_not_neighbour_lists(container, neighbourhood, dispatch, cells):
    register(container, dispatch, "u1", cells["r0c0"])
    staff = Caller(user_id="s1", role=CITY_STAFF, municipality_id=MUNICIPALITY).to_dict()

    listing = neighbourhood.list_neighbourhoods(caller=staff)["items"]
    feature = neighbourhood.get_neighbourhood(caller=staff, neighbourhood_id=cells["r0c0"])

    assert {n["code"]: n["households"] for n in listing} == {"r0c0": 1, "r0c1": 0, "r0c2": 0}
    assert feature["geometry"]["type"] == "Polygon"
    assert error_code(neighbourhood.list_members, caller=staff,
                      neighbourhood_id=cells["r0c0"]) == errors.FORBIDDEN


def test_an_unlisted_resident_leaves_the_neighbour_list_and_a_renamed_one_shows_the_new_name(
        container, neighbourhood, dispatch, cells):
    register(container, dispatch, "u1", cells["r0c0"])
    register(container, dispatch, "u2", cells["r0c0"], display_name="Ana Silva")

    neighbourhood.set_directory_listing(caller=resident("u1"), listed=False)
    deliver(container, dispatch, events.USER_UPDATED, "on_user_updated", user_id="u2",
            municipality_id=MUNICIPALITY, changes={"display_name": "Beatriz Silva"})

    listed = neighbourhood.list_members(caller=resident("u1"), neighbourhood_id=cells["r0c0"])
    assert [m["first_name"] for m in listed["items"]] == ["Beatriz"]


def test_a_register_correction_moves_a_member_to_their_new_neighbourhood(
        container, neighbourhood, dispatch, cells, listener):
    register(container, dispatch, "u1", cells["r0c1"], street="Rue Haute")
    neighbourhood.follow(caller=resident("u1"), neighbourhood_id=cells["r0c0"])

    with entrypoint_waiter(listener, "on_joined", timeout=RPC_TIMEOUT):
        deliver(container, dispatch, events.USER_UPDATED, "on_user_updated", user_id="u1",
                municipality_id=MUNICIPALITY,
                changes={"street": "Rue Basse", "neighbourhood_id": cells["r0c2"]})

    mine = neighbourhood.export_user(caller=resident("u1"))
    assert mine["membership"]["neighbourhood_id"] == cells["r0c2"]
    assert mine["membership"]["street"] == "Rue Basse"
    assert mine["follows"] == []  # chosen for the old home's neighbours
    counts = {n["id"]: n["households"] for n in neighbourhood.list_neighbourhoods(
        caller=resident("u1"))["items"]}
    assert (counts[cells["r0c1"]], counts[cells["r0c2"]]) == (0, 1)
    assert [e["neighbourhood_id"] for e in received(events.MEMBER_LEFT.name)] == [cells["r0c1"]]
    assert [e["neighbourhood_id"] for e in received(events.MEMBER_JOINED.name)] == [
        cells["r0c1"], cells["r0c2"]]


def test_an_erased_user_leaves_everything_behind_and_others_stay(
        container, neighbourhood, dispatch, cells, listener):
    register(container, dispatch, "u1", cells["r0c0"])
    register(container, dispatch, "u2", cells["r0c0"])
    neighbourhood.follow(caller=resident("u1"), neighbourhood_id=cells["r0c1"])

    with entrypoint_waiter(listener, "on_left", timeout=RPC_TIMEOUT):
        deliver(container, dispatch, events.USER_ERASED, "on_user_erased", user_id="u1",
                municipality_id=MUNICIPALITY)

    listed = neighbourhood.list_members(caller=resident("u2"), neighbourhood_id=cells["r0c0"])
    assert [m["user_id"] for m in listed["items"]] == ["u2"]
    assert neighbourhood.export_user(caller=resident("u1")) == {
        "membership": None, "follows": [],
        "calendar": {"events_organised": [], "rsvps": []},
        "helpers": {"profile": None, "callout_answers": []}}
    assert neighbourhood.export_user(caller=resident("u2"))["membership"]["neighbourhood_id"] \
        == cells["r0c0"]
    assert received(events.MEMBER_LEFT.name)[0]["user_id"] == "u1"


def test_a_malformed_event_is_parked_and_the_next_one_is_handled(
        container, neighbourhood, dispatch, cells):
    broken = {"user_id": "u9", "role": RESIDENT, "neighbourhood_id": cells["r0c0"],
              "event_id": "broken-1", "schema_version": 1}
    with entrypoint_waiter(container, "on_user_registered", timeout=RPC_TIMEOUT) as waited:
        dispatch(services.IDENTITY, events.USER_REGISTERED.name, broken)
    register(container, dispatch, "u1", cells["r0c0"])

    assert waited.get() is None  # parked by the inbox for a later retry, not requeued at once
    listed = neighbourhood.list_members(caller=resident("u1"), neighbourhood_id=cells["r0c0"])
    assert [m["user_id"] for m in listed["items"]] == ["u1"]


def test_addresses_are_located_for_the_platform_and_staff_only(neighbourhood, cells):
    points = [grid.point_in(0, 0), grid.point_in(0, 2), grid.point_in(4, 4)]
    staff = Caller(user_id="s1", role=CITY_STAFF, municipality_id=MUNICIPALITY).to_dict()

    assert neighbourhood.locate(caller=SYSTEM, municipality_id=MUNICIPALITY, points=points) \
        == [cells["r0c0"], cells["r0c2"], None]
    assert neighbourhood.locate(caller=staff, municipality_id=MUNICIPALITY, points=points[:1]) \
        == [cells["r0c0"]]
    assert error_code(neighbourhood.locate, caller=resident("u1"), municipality_id=MUNICIPALITY,
                      points=points) == errors.FORBIDDEN


def test_a_re_import_keeps_ids_and_members(container, neighbourhood, dispatch, cells):
    register(container, dispatch, "u1", cells["r0c0"])
    renamed = grid.grid(1, 3)
    renamed["features"][0]["properties"]["name"] = "Centre"

    report = neighbourhood.import_neighbourhoods(
        caller=SYSTEM, municipality_id=MUNICIPALITY, collection=renamed)

    assert report["created"] == [] and report["updated"] == [cells["r0c0"]]
    home = neighbourhood.get_neighbourhood(caller=resident("u1"), neighbourhood_id=cells["r0c0"])
    assert home["properties"]["name"] == "Centre"
    assert home["properties"]["households"] == 1
