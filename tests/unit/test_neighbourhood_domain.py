"""Neighbourhood rules: names in the neighbour list, activation, re-imports, who sees and follows
what."""
import json
from dataclasses import replace

import pytest

from contracts import errors, events
from contracts.caller import ADMIN, CITY_STAFF, MODERATOR, RESIDENT, SYSTEM_CALLER, Caller
from contracts.errors import DomainError
from services.neighbourhood import domain, geography
from tests import neighbourhood_grid as grid


def code_of(error_call, *args):
    with pytest.raises(DomainError) as raised:
        error_call(*args)
    return raised.value.code


@pytest.mark.parametrize("display_name, expected", [
    ("Marie Dupont", "Marie"),
    ("  Jean-Luc   Picard ", "Jean-Luc"),
    ("Ana", "Ana"),
    ("", ""),
    (None, ""),
])
def test_the_neighbour_list_shows_only_the_first_name(display_name, expected):
    assert domain.first_name(display_name) == expected


def test_a_house_number_never_reaches_the_neighbour_list():
    assert domain.clean_street("Rue  de la Gare") == "Rue de la Gare"
    assert domain.clean_street("Rue de la Gare 12b") == "Rue de la Gare"
    assert domain.clean_street("12, Avenue de la Liberté") == "Avenue de la Liberté"


def registration(**overrides):
    payload = dict(user_id="u1", municipality_id="m1", household_id="h1", neighbourhood_id="n1",
                   role=RESIDENT, display_name="Marie Dupont", street="Rue Haute")
    payload.update(overrides)
    return payload


def test_a_resident_registration_makes_a_listed_member():
    member = domain.member_from_registration(registration())

    assert (member.user_id, member.neighbourhood_id, member.household_id) == ("u1", "n1", "h1")
    assert (member.first_name, member.street, member.listed) == ("Marie", "Rue Haute", True)


@pytest.mark.parametrize("overrides", [{"role": CITY_STAFF, "neighbourhood_id": None},
                                       {"role": ADMIN}, {"neighbourhood_id": None}])
def test_accounts_without_a_home_are_not_members(overrides):
    assert domain.member_from_registration(registration(**overrides)) is None


def test_a_registration_without_a_household_is_refused():
    assert code_of(domain.member_from_registration, registration(household_id=None)) \
        == errors.INVALID


def neighbourhood(id="n1", state=domain.PENDING, adjacent=(), municipality_id="m1"):
    return domain.Neighbourhood(id=id, municipality_id=municipality_id, key=id, name=id.upper(),
                                code=id, geometry={}, adjacent_ids=tuple(adjacent), state=state)


@pytest.mark.parametrize("households, threshold, due", [
    (9, 10, False), (10, 10, True), (11, 10, True), (3, 3, True), (9, None, False),
    (10, None, True),
])
def test_a_neighbourhood_opens_when_enough_households_joined(households, threshold, due):
    assert domain.activation_due(neighbourhood(), households, threshold) is due


def test_an_open_neighbourhood_does_not_open_again():
    assert not domain.activation_due(neighbourhood(state=domain.ACTIVE), 50, 10)


def test_an_unknown_threshold_is_the_default_of_ten():
    assert domain.activation_threshold({"activation_threshold": 25}) == 25
    assert domain.activation_threshold({}) == domain.DEFAULT_ACTIVATION_THRESHOLD == 10
    assert domain.activation_threshold({"activation_threshold": 0}) == 10


def test_events_carry_fixed_ids_so_replays_are_dropped_downstream():
    member = domain.member_from_registration(registration())
    event, joined = domain.member_joined(member)
    again = domain.member_joined(member)[1]
    activated = domain.neighbourhood_activated(neighbourhood())[1]

    assert event == events.MEMBER_JOINED
    assert joined["event_id"] == again["event_id"] == "member_joined:u1:" + member.neighbourhood_id
    assert activated == {"neighbourhood_id": "n1", "municipality_id": "m1",
                         "event_id": "neighbourhood_activated:n1",
                         "schema_version": events.NEIGHBOURHOOD_ACTIVATED.schema_version}


def plan(collection, existing=(), ids=None):
    read = geography.read_feature_collection(collection)
    counter = iter(ids or ["id%d" % i for i in range(100)])
    return domain.plan_import("m1", [f for f, _ in read],
                              geography.adjacency([g for _, g in read]), list(existing),
                              new_id=lambda: next(counter))


def test_a_first_import_creates_pending_neighbourhoods_with_adjacency_by_id():
    planned, report = plan(grid.grid(1, 3))

    assert report.created == ["id0", "id1", "id2"]
    assert [(n.name, n.state, n.adjacent_ids) for n in planned] == [
        ("R0C0", domain.PENDING, ("id1",)),
        ("R0C1", domain.PENDING, ("id0", "id2")),
        ("R0C2", domain.PENDING, ("id1",)),
    ]


def test_a_re_import_keeps_ids_and_state_and_only_updates_what_changed():
    first, _ = plan(grid.grid(1, 2))
    opened = [replace(first[0], state=domain.ACTIVE), first[1]]
    renamed = grid.grid(1, 2)
    renamed["features"][1]["properties"]["name"] = "Gare"

    planned, report = plan(renamed, existing=opened, ids=["unused"])

    assert (report.created, report.updated, report.unchanged) == ([], ["id1"], ["id0"])
    assert [(n.id, n.name) for n in planned] == [("id1", "Gare")]
    stored = [domain.Neighbourhood.from_dict(json.loads(json.dumps(n.to_dict()))) for n in first]
    assert plan(grid.grid(1, 2), existing=stored)[0] == []  # the same file again: no change


def test_a_re_import_may_not_drop_a_neighbourhood():
    first, _ = plan(grid.grid(1, 2))

    with pytest.raises(DomainError) as raised:
        plan(grid.grid(1, 1), existing=first)

    assert raised.value.code == errors.CONFLICT
    assert raised.value.details == {"missing": ["r0c1"]}


def resident(user_id="u1", municipality_id="m1"):
    return Caller(user_id=user_id, role=RESIDENT, municipality_id=municipality_id)


def test_a_resident_sees_home_and_followed_adjacent_neighbourhoods_only():
    home = neighbourhood("n1", adjacent=("n2", "n3"))
    caller = resident()

    assert domain.can_see(caller, home, home, [])
    assert domain.can_see(caller, neighbourhood("n2"), home, ["n2"])
    assert not domain.can_see(caller, neighbourhood("n3"), home, ["n2"])  # adjacent, not followed
    assert not domain.can_see(caller, neighbourhood("n9"), home, ["n9"])  # no longer adjacent
    assert code_of(domain.require_visible, caller, neighbourhood("n3"), home, []) \
        == errors.NOT_FOUND


@pytest.mark.parametrize("role", [CITY_STAFF, MODERATOR, ADMIN])
def test_the_city_sees_its_neighbourhoods_but_not_their_neighbour_lists(role):
    staff = Caller(user_id="s1", role=role, municipality_id="m1")

    assert domain.can_see(staff, neighbourhood("n1"), None, [])
    assert not domain.can_see(staff, neighbourhood("x", municipality_id="m2"), None, [])
    assert code_of(domain.require_member_list_access, staff, neighbourhood("n1"), None, []) \
        == errors.FORBIDDEN


def test_only_adjacent_neighbourhoods_can_be_followed():
    home = neighbourhood("n1", adjacent=("n2",))

    assert domain.check_follow(home, neighbourhood("n2")).id == "n2"
    assert code_of(domain.check_follow, home, neighbourhood("n3")) == errors.INVALID
    assert code_of(domain.check_follow, home, home) == errors.INVALID
    assert code_of(domain.check_follow, home, None) == errors.NOT_FOUND
    assert code_of(domain.check_follow, home, neighbourhood("n2", municipality_id="m2")) \
        == errors.NOT_FOUND


def test_polygons_are_managed_by_staff_and_admins_of_the_municipality_only():
    domain.authorize_geography(SYSTEM_CALLER, "m1")
    domain.authorize_geography(Caller(user_id="s", role=CITY_STAFF, municipality_id="m1"), "m1")

    assert code_of(domain.authorize_geography, resident(), "m1") == errors.FORBIDDEN
    assert code_of(domain.authorize_geography,
                   Caller(user_id="s", role=ADMIN, municipality_id="m2"), "m1") \
        == errors.NOT_FOUND


def test_the_export_holds_membership_and_follows():
    member = domain.member_from_registration(registration())

    exported = domain.export(member, [("n2", "2026-11-22T03:00:00+00:00")])

    assert exported["membership"]["street"] == "Rue Haute"
    assert exported["follows"] == [{"neighbourhood_id": "n2",
                                    "since": "2026-11-22T03:00:00+00:00"}]
    assert domain.export(None, []) == {"membership": None, "follows": []}
