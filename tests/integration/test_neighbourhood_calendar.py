"""The neighbourhood calendar and organisations map over a real broker: residents (members by
identity's events) create events at home, followers read them, others are told nothing; RSVPs
counted exactly under concurrent calls; commercial events refused with reasons; idempotent
creates; erasure and export; organisations placed by the polygons and served as GeoJSON."""
from datetime import datetime, timedelta, timezone

import pytest

from contracts import errors, events
from contracts.caller import CITY_STAFF, Caller
from tests import neighbourhood_grid as grid
from services.moderation.service import ModerationService
from tests.integration.helpers import RPC_ERRORS
# The service, its listener and a 1 x 3 strip of neighbourhoods (r0c0 | r0c1 | r0c2), with the
# helpers that register residents through identity's events.
from tests.integration.test_neighbourhood_service import (  # noqa: F401
    MUNICIPALITY,
    cells,
    container,
    deliver,
    dispatch,
    error_code,
    listener,
    neighbourhood,
    register,
    resident,
)

STAFF = Caller(user_id="s1", role=CITY_STAFF, municipality_id=MUNICIPALITY).to_dict()


def local(days, hour=18):
    """A local time (UTC+1) `days` from now, as residents type it."""
    moment = datetime.now(timezone(timedelta(hours=1))) + timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0).isoformat()


def party(days=3, **overrides):
    fields = {"title": "Street party", "description": "Bring a dish to share",
              "starts_at": local(days), "ends_at": local(days, hour=23),
              "place": "Rue Haute, by the fountain"}
    fields.update(overrides)
    return fields


@pytest.fixture(autouse=True)
def moderation(start_service):
    """Moderation screens every event before it is stored (issue 5)."""
    return start_service(ModerationService)


@pytest.fixture
def town(container, dispatch, cells):
    """u1, u2 at home in r0c0; u3 in r0c1 (adjacent); u4 in r0c2 (not adjacent to r0c0)."""
    for user, cell in (("u1", "r0c0"), ("u2", "r0c0"), ("u3", "r0c1"), ("u4", "r0c2")):
        register(container, dispatch, user, cells[cell], display_name=user.upper() + " Doe")
    return cells


def test_an_event_is_for_the_neighbourhood_and_its_followers_only(neighbourhood, town):
    created = neighbourhood.create_event(caller=resident("u1"), neighbourhood_id=town["r0c0"],
                                         event=party(point=grid.point_in(0, 1)))
    neighbourhood.follow(caller=resident("u3"), neighbourhood_id=town["r0c0"])

    neighbour = neighbourhood.list_events(caller=resident("u2"), neighbourhood_id=town["r0c0"])
    follower = neighbourhood.get_event(caller=resident("u3"), event_id=created["id"])

    assert created["organiser"] == {"user_id": "u1", "first_name": "U1"}
    assert created["starts_at"].endswith("+01:00")
    assert [e["id"] for e in neighbour["items"]] == [created["id"]]
    assert follower["title"] == "Street party" and follower["organised_by_me"] is False
    # Not adjacent, not followed: nothing to see, as for an unknown id.
    assert error_code(neighbourhood.list_events, caller=resident("u4"),
                      neighbourhood_id=town["r0c0"]) == errors.NOT_FOUND
    assert error_code(neighbourhood.get_event, caller=resident("u4"),
                      event_id=created["id"]) == errors.NOT_FOUND
    # The city reads no calendar.
    assert error_code(neighbourhood.list_events, caller=STAFF,
                      neighbourhood_id=town["r0c0"]) == errors.FORBIDDEN
    assert error_code(neighbourhood.get_event, caller=STAFF,
                      event_id=created["id"]) == errors.NOT_FOUND
    # Created at home only, placed near home only.
    assert error_code(neighbourhood.create_event, caller=resident("u3"),
                      neighbourhood_id=town["r0c0"], event=party()) == errors.FORBIDDEN
    assert error_code(neighbourhood.create_event, caller=resident("u1"),
                      neighbourhood_id=town["r0c0"],
                      event=party(point=grid.point_in(0, 2))) == errors.INVALID


def test_concurrent_answers_are_counted_exactly(container, dispatch, neighbourhood, cells):
    home = cells["r0c1"]
    users = ["v%02d" % i for i in range(30)]
    for user in users:
        register(container, dispatch, user, home)
    event_id = neighbourhood.create_event(caller=resident("v00"), neighbourhood_id=home,
                                          event=party())["id"]

    # Everyone answers at once, twice: "maybe", then the first 20 say "going", the rest "not".
    pending = [neighbourhood.set_rsvp.call_async(caller=resident(u), event_id=event_id,
                                                 response="maybe") for u in users]
    [reply.result() for reply in pending]
    pending = [neighbourhood.set_rsvp.call_async(
        caller=resident(u), event_id=event_id,
        response="going" if i < 20 else "not_going") for i, u in enumerate(users)]
    answers = [reply.result() for reply in pending]
    again = neighbourhood.set_rsvp(caller=resident("v00"), event_id=event_id, response="going")

    shown = neighbourhood.get_event(caller=resident("v05"), event_id=event_id)
    assert shown["rsvp_counts"] == {"going": 20, "maybe": 0, "not_going": 10}
    assert shown["my_rsvp"] == "going"
    assert again["rsvp_counts"] == shown["rsvp_counts"]
    assert all(a["event_id"] == event_id for a in answers)


def test_a_commercial_event_is_refused_with_its_reasons(neighbourhood, town):
    with pytest.raises(RPC_ERRORS) as raised:
        neighbourhood.create_event(caller=resident("u1"), neighbourhood_id=town["r0c0"],
                                   event=party(title="Wine tasting",
                                               description="Promo: -20% on bottles, 25 €"))

    assert raised.value.code == errors.UNPROCESSABLE
    rules = [r["rule"] for r in raised.value.details["reasons"]]
    assert rules == ["price_with_sales_words", "fee_above_small_fee"]
    assert neighbourhood.list_events(caller=resident("u1"),
                                     neighbourhood_id=town["r0c0"])["items"] == []


def test_a_retried_create_makes_one_event_and_a_changed_one_is_refused(neighbourhood, town):
    first = neighbourhood.create_event(caller=resident("u1"), neighbourhood_id=town["r0c0"],
                                       event=party(), idempotency_key="party-1")
    replay = neighbourhood.create_event(caller=resident("u1"), neighbourhood_id=town["r0c0"],
                                        event=party(), idempotency_key="party-1")
    changed = error_code(neighbourhood.create_event, caller=resident("u1"),
                         neighbourhood_id=town["r0c0"], event=party(title="Other"),
                         idempotency_key="party-1")

    assert replay == first
    assert changed == errors.UNPROCESSABLE
    assert len(neighbourhood.list_events(caller=resident("u1"),
                                         neighbourhood_id=town["r0c0"])["items"]) == 1


def test_the_organiser_edits_and_cancels_and_the_list_pages_soonest_first(neighbourhood, town):
    ids = [neighbourhood.create_event(caller=resident("u1"), neighbourhood_id=town["r0c0"],
                                      event=party(days=d, title="Event in %d days" % d))["id"]
           for d in (5, 2, 9)]

    refused = error_code(neighbourhood.update_event, caller=resident("u2"), event_id=ids[0],
                         changes={"title": "Mine now"})
    moved = neighbourhood.update_event(caller=resident("u1"), event_id=ids[0],
                                       changes={"starts_at": local(1), "ends_at": local(1, 22)})
    cancelled = neighbourhood.cancel_event(caller=resident("u1"), event_id=ids[2])
    late_answer = error_code(neighbourhood.set_rsvp, caller=resident("u2"), event_id=ids[2],
                             response="going")
    first = neighbourhood.list_events(caller=resident("u2"), neighbourhood_id=town["r0c0"],
                                      limit=2)
    rest = neighbourhood.list_events(caller=resident("u2"), neighbourhood_id=town["r0c0"],
                                     cursor=first["next_cursor"], limit=2)

    assert refused == errors.FORBIDDEN and late_answer == errors.CONFLICT
    assert moved["title"] == "Event in 5 days"
    assert cancelled["status"] == "cancelled"
    assert [e["id"] for e in first["items"] + rest["items"]] == [ids[0], ids[1], ids[2]]
    assert rest["next_cursor"] is None
    assert rest["items"][-1]["status"] == "cancelled"


def test_an_erased_resident_s_events_and_answers_go_and_the_export_shows_them_before(
        container, dispatch, neighbourhood, town):
    mine = neighbourhood.create_event(caller=resident("u1"), neighbourhood_id=town["r0c0"],
                                      event=party())
    theirs = neighbourhood.create_event(caller=resident("u2"), neighbourhood_id=town["r0c0"],
                                        event=party(title="Repair café"))
    neighbourhood.set_rsvp(caller=resident("u1"), event_id=theirs["id"], response="going")
    neighbourhood.set_rsvp(caller=resident("u2"), event_id=mine["id"], response="going")

    exported = neighbourhood.export_user(caller=resident("u1"))["calendar"]
    deliver(container, dispatch, events.USER_ERASED, "on_user_erased", user_id="u1",
            municipality_id=MUNICIPALITY)

    assert [e["title"] for e in exported["events_organised"]] == ["Street party"]
    assert [(r["event_id"], r["response"]) for r in exported["rsvps"]] == [
        (theirs["id"], "going")]
    assert [e["id"] for e in neighbourhood.list_events(
        caller=resident("u2"), neighbourhood_id=town["r0c0"])["items"]] == [theirs["id"]]
    assert neighbourhood.get_event(caller=resident("u2"), event_id=theirs["id"])[
        "rsvp_counts"]["going"] == 0
    assert neighbourhood.export_user(caller=resident("u1"))["calendar"] == {
        "events_organised": [], "rsvps": []}


def test_staff_place_organisations_by_their_point_and_residents_read_geojson(
        neighbourhood, town):
    library = neighbourhood.create_organisation(caller=STAFF, organisation={
        "name": "Library", "category": "library", "address": "1 rue X",
        "point": grid.point_in(0, 0), "website": "https://library.example.org"})
    school = neighbourhood.create_organisation(caller=STAFF, organisation={
        "name": "École du Centre", "category": "school", "address": "2 rue Y",
        "point": grid.point_in(0, 0, (0.2, 0.3)), "neighbourhood_id": town["r0c0"]})
    wrong_neighbourhood = error_code(neighbourhood.create_organisation, caller=STAFF,
                                     organisation={"name": "Club", "category": "sports_club",
                                                   "address": "3 rue Z",
                                                   "point": grid.point_in(0, 1),
                                                   "neighbourhood_id": town["r0c0"]})
    outside = error_code(neighbourhood.create_organisation, caller=STAFF, organisation={
        "name": "Far away", "category": "culture", "address": "4 rue W",
        "point": grid.point_in(5, 5)})
    by_resident = error_code(neighbourhood.create_organisation, caller=resident("u1"),
                             organisation={"name": "Mine", "category": "culture",
                                           "address": "5", "point": grid.point_in(0, 0)})

    collection = neighbourhood.list_organisations(caller=resident("u2"),
                                                  neighbourhood_id=town["r0c0"])
    schools = neighbourhood.list_organisations(caller=resident("u2"),
                                               neighbourhood_id=town["r0c0"], category="school")

    assert library["neighbourhood_id"] == town["r0c0"] == school["neighbourhood_id"]
    assert (wrong_neighbourhood, outside, by_resident) == (
        errors.INVALID, errors.INVALID, errors.FORBIDDEN)
    assert collection["type"] == "FeatureCollection"
    # By name, accents aside: "École" files under E.
    assert [f["properties"]["name"] for f in collection["features"]] == [
        "École du Centre", "Library"]
    assert collection["features"][0]["geometry"]["type"] == "Point"
    assert [f["id"] for f in schools["features"]] == [school["id"]]
    assert error_code(neighbourhood.list_organisations, caller=resident("u4"),
                      neighbourhood_id=town["r0c0"]) == errors.NOT_FOUND


def test_a_moved_organisation_changes_neighbourhood_and_a_removed_one_leaves_the_map(
        neighbourhood, town):
    club = neighbourhood.create_organisation(caller=STAFF, organisation={
        "name": "Tennis club", "category": "sports_club", "address": "1 rue X",
        "point": grid.point_in(0, 0)})

    moved = neighbourhood.update_organisation(caller=STAFF, organisation_id=club["id"],
                                              changes={"point": grid.point_in(0, 1)})
    in_r0c1 = neighbourhood.list_organisations(caller=resident("u3"),
                                               neighbourhood_id=town["r0c1"])
    neighbourhood.delete_organisation(caller=STAFF, organisation_id=club["id"])

    assert moved["neighbourhood_id"] == town["r0c1"]
    assert [f["id"] for f in in_r0c1["features"]] == [club["id"]]
    assert neighbourhood.list_city_organisations(caller=STAFF)["items"] == []
    assert error_code(neighbourhood.get_organisation, caller=STAFF,
                      organisation_id=club["id"]) == errors.NOT_FOUND


def test_concurrent_replays_of_one_create_make_one_event(neighbourhood, town):
    pending = [neighbourhood.create_event.call_async(
        caller=resident("u2"), neighbourhood_id=town["r0c0"], event=party(title="Choir"),
        idempotency_key="choir-1") for _ in range(10)]

    answers = [reply.result() for reply in pending]

    assert len({a["id"] for a in answers}) == 1
    assert [e["title"] for e in neighbourhood.list_events(
        caller=resident("u1"), neighbourhood_id=town["r0c0"])["items"]] == ["Choir"]


def test_a_large_map_comes_in_pages_by_name(neighbourhood, town):
    for name in ("Zumba", "Archery", "Basketball"):
        neighbourhood.create_organisation(caller=STAFF, organisation={
            "name": name, "category": "sports_club", "address": "1 rue X",
            "point": grid.point_in(0, 0)})

    first = neighbourhood.list_organisations(caller=resident("u1"),
                                             neighbourhood_id=town["r0c0"], limit=2)
    rest = neighbourhood.list_organisations(caller=resident("u1"),
                                            neighbourhood_id=town["r0c0"], limit=2,
                                            cursor=first["next_cursor"])

    assert [f["properties"]["name"] for f in first["features"] + rest["features"]] == [
        "Archery", "Basketball", "Zumba"]
    assert rest["next_cursor"] is None
    assert error_code(neighbourhood.list_organisations, caller=resident("u1"),
                      neighbourhood_id=town["r0c0"], category="bar") == errors.INVALID


def test_moderation_refuses_an_advert_event_with_its_reasons(
        neighbourhood, town):
    """Issue 5: after the calendar's own rule, moderation screens the event; an advertising
    event is refused with moderation's reasons in the calendar's shape (rule, message)."""
    advert = party(title="Grand opening of our shop",
                   description="Use promo code OPEN20 for 20% off, order now on www.shop.example")
    with pytest.raises(RPC_ERRORS) as refused:
        neighbourhood.create_event(caller=resident("u1"), neighbourhood_id=town["r0c0"],
                                   event=advert)
    assert refused.value.code == errors.UNPROCESSABLE
    rules = [r["rule"] for r in refused.value.details["reasons"]]
    assert "discount_code" in rules
    assert all(r["message"] for r in refused.value.details["reasons"])
