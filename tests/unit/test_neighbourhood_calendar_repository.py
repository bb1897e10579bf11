"""The calendar and organisations stores' contract, run on every adapter (SQLite, mongomock, real
MongoDB when MONGO_URI is set) through the shared `store` fixture."""
import threading
from dataclasses import replace

import pytest

from contracts import errors
from contracts.errors import DomainError
from servicekit.store import repository_for
from services.neighbourhood import calendar, organisations
from services.neighbourhood.calendar_repository import MongoCalendar, SqliteCalendar
from services.neighbourhood.organisations_repository import (
    MongoOrganisations,
    SqliteOrganisations,
)

NOW_KEY = "2026-11-22T12:00:00Z"


@pytest.fixture
def events(store):
    return repository_for(store, SqliteCalendar, MongoCalendar)


@pytest.fixture
def orgs(store):
    return repository_for(store, SqliteOrganisations, MongoOrganisations)


def event(id, starts="2026-12-05T17:00:00Z", ends=None, neighbourhood_id="n1", organiser="u1",
          title="Street party"):
    ends = ends or starts.replace("T17", "T22")
    return calendar.CalendarEvent(
        id=id, municipality_id="m1", neighbourhood_id=neighbourhood_id, organiser_id=organiser,
        organiser_first_name="Ana", title=title, description="", starts_at=starts,
        ends_at=ends, starts_at_utc=starts, ends_at_utc=ends, place="Rue Haute",
        created_at="2026-11-22T12:00:00+00:00")


def test_an_event_round_trips(events):
    stored = replace(event("e1"), point=(6.1, 49.6), small_fee=True)
    events.add_event(stored)

    assert events.get_event("e1") == stored
    assert events.get_event("nope") is None


def test_upcoming_events_are_soonest_first_and_page_without_repeats(events):
    # Two share a start: the id breaks the tie. One ended, one elsewhere.
    for e in (event("e3", "2026-12-07T17:00:00Z"), event("e1", "2026-12-05T17:00:00Z"),
              event("e2", "2026-12-05T17:00:00Z"), event("e4", "2026-12-09T17:00:00Z"),
              event("old", "2026-11-20T17:00:00Z"),
              event("away", "2026-12-06T17:00:00Z", neighbourhood_id="n2")):
        events.add_event(e)
    floor = ("2026-11-08T12:00:00Z", "")

    first = events.upcoming("n1", floor, NOW_KEY, 2)
    second = events.upcoming("n1", (first[-1].starts_at_utc, first[-1].id), NOW_KEY, 2)
    third = events.upcoming("n1", (second[-1].starts_at_utc, second[-1].id), NOW_KEY, 2)

    assert [e.id for e in first + second + third] == ["e1", "e2", "e3", "e4"]


def test_an_event_under_way_is_still_upcoming(events):
    events.add_event(event("now", "2026-11-22T10:00:00Z", ends="2026-11-22T14:00:00Z"))

    assert [e.id for e in events.upcoming("n1", ("2026-11-08T12:00:00Z", ""), NOW_KEY, 10)] \
        == ["now"]
    assert events.upcoming("n1", ("2026-11-08T12:00:00Z", ""), "2026-11-22T14:00:00Z", 10) == []


def test_a_cancelled_event_takes_no_edit_and_is_cancelled_once(events):
    original = event("e1")
    events.add_event(original)

    assert events.update_event(replace(original, title="Renamed")) is True
    assert events.cancel_event("e1", "t1") is True
    assert events.cancel_event("e1", "t2") is False
    assert events.update_event(replace(original, title="Again")) is False
    stored = events.get_event("e1")
    assert (stored.status, stored.title, stored.cancelled_at) == (
        calendar.CANCELLED, "Renamed", "t1")
    assert events.upcoming("n1", ("", ""), NOW_KEY, 10)[0].status == calendar.CANCELLED


def test_a_moved_event_moves_in_the_list(events):
    events.add_event(event("e1", "2026-12-05T17:00:00Z"))
    events.add_event(event("e2", "2026-12-06T17:00:00Z"))

    events.update_event(replace(event("e1", "2026-12-08T17:00:00Z")))

    assert [e.id for e in events.upcoming("n1", ("", ""), NOW_KEY, 10)] == ["e2", "e1"]


def test_one_answer_per_user_and_event_and_counts_follow(events):
    events.add_event(event("e1"))

    assert events.set_rsvp("e1", "u1", "going", "t1") is None
    assert events.set_rsvp("e1", "u1", "going", "t2") == "going"
    assert events.set_rsvp("e1", "u2", "maybe", "t3") is None
    assert events.set_rsvp("e1", "u1", "not_going", "t4") == "going"

    assert events.rsvp_counts(["e1", "e2"]) == {"e1": {"maybe": 1, "not_going": 1}}
    assert events.responses_of("u1", ["e1", "e2"]) == {"e1": "not_going"}
    assert events.rsvps_by("u1") == [("e1", "not_going", "t4")]
    assert events.rsvp_counts([]) == {} and events.responses_of("u1", []) == {}


def test_concurrent_answers_are_counted_exactly(events, store):
    if store.kind == "mongo" and type(store.client).__module__.startswith("mongomock"):
        pytest.skip("mongomock is not thread-safe; the real-MongoDB run covers this")
    events.add_event(event("e1"))
    barrier = threading.Barrier(20)
    failures = []

    def answer(user):
        try:
            barrier.wait()
            for response in ("maybe", "going", "going"):
                events.set_rsvp("e1", user, response, "t")
        except Exception as exc:  # surfaced below
            failures.append(exc)

    threads = [threading.Thread(target=answer, args=("u%d" % i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert events.rsvp_counts(["e1"]) == {"e1": {"going": 20}}


def test_upcoming_events_per_organiser_are_counted(events):
    events.add_event(event("e1"))
    events.add_event(event("e2"))
    events.add_event(event("past", "2026-11-20T17:00:00Z"))
    events.add_event(event("theirs", organiser="u2"))
    events.cancel_event("e2", "t")

    assert events.count_upcoming_by_organiser("u1", NOW_KEY) == 1


def test_erasure_removes_their_events_with_the_answers_and_their_own_answers(events):
    events.add_event(event("mine"))
    events.add_event(event("theirs", organiser="u2"))
    events.set_rsvp("mine", "u2", "going", "t")
    events.set_rsvp("theirs", "u1", "going", "t")
    events.set_rsvp("theirs", "u3", "maybe", "t")

    assert events.erase_user("u1") == (1, 1)

    assert events.get_event("mine") is None
    assert events.events_organised_by("u1") == [] and events.rsvps_by("u1") == []
    assert events.rsvps_by("u2") == []
    assert events.rsvp_counts(["theirs"]) == {"theirs": {"maybe": 1}}
    assert events.erase_user("u1") == (0, 0)


# -- organisations -----------------------------------------------------------------------------

def organisation(id, name, neighbourhood_id="n1", category="school", municipality_id="m1"):
    return organisations.Organisation(
        id=id, municipality_id=municipality_id, neighbourhood_id=neighbourhood_id, name=name,
        category=category, address="1 rue X", point=(6.1, 49.6), created_at="t", updated_at="t")


def test_an_organisation_round_trips_and_goes(orgs):
    stored = orgs.add(replace(organisation("o1", "École du Centre"), website="https://x.lu"))

    assert orgs.get("o1") == stored
    assert orgs.delete("o1") is True
    assert orgs.get("o1") is None and orgs.delete("o1") is False


def test_one_name_per_neighbourhood_whatever_the_case(orgs):
    orgs.add(organisation("o1", "Scouts Bonnevoie"))
    orgs.add(organisation("o2", "Scouts Bonnevoie", neighbourhood_id="n2"))

    with pytest.raises(DomainError) as raised:
        orgs.add(organisation("o3", "scoûts  BONNEVOIE"))
    orgs.add(organisation("o4", "Library"))
    with pytest.raises(DomainError) as renamed:
        orgs.update(replace(orgs.get("o4"), name="SCOUTS bonnevoie"))

    assert raised.value.code == renamed.value.code == errors.CONFLICT
    assert orgs.count_in("n1") == 2


def test_organisations_page_by_name_and_filter_by_category(orgs):
    for i, (name, category) in enumerate([("Zumba club", "sports_club"), ("école A", "school"),
                                          ("Basket", "sports_club"), ("Archives", "culture"),
                                          ("Athletics", "sports_club")]):
        orgs.add(organisation("o%d" % i, name, category=category))
    orgs.add(organisation("x", "Elsewhere", neighbourhood_id="n2"))
    orgs.add(organisation("y", "Other town", neighbourhood_id="n9", municipality_id="m2"))

    first = orgs.page(neighbourhood_id="n1", limit=2)
    rest = orgs.page(neighbourhood_id="n1", after=(first[-1].name_key, first[-1].id), limit=10)
    clubs = orgs.page(neighbourhood_id="n1", category="sports_club", limit=10)
    city = orgs.page(municipality_id="m1", limit=10)

    assert [o.name for o in first + rest] == ["Archives", "Athletics", "Basket", "école A",
                                              "Zumba club"]
    assert [o.name for o in clubs] == ["Athletics", "Basket", "Zumba club"]
    assert len(city) == 6


def test_an_update_moves_an_organisation_between_neighbourhoods(orgs):
    orgs.add(organisation("o1", "Library"))

    assert orgs.update(replace(orgs.get("o1"), neighbourhood_id="n2", point=(6.2, 49.7)))
    assert orgs.update(organisation("ghost", "Ghost")) is False

    assert [o.id for o in orgs.page(neighbourhood_id="n2", limit=10)] == ["o1"]
    assert orgs.page(neighbourhood_id="n1", limit=10) == []
