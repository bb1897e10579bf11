"""The calendar's rules (services/neighbourhood/calendar.py): what makes a valid event, the
commercial-event rule and its reasons, who may read, create, change and answer."""
from datetime import datetime, timedelta, timezone

import pytest

from contracts import errors
from contracts.caller import CITY_STAFF, RESIDENT, Caller
from contracts.errors import DomainError
from services.neighbourhood import calendar, domain

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)
HOME = domain.Neighbourhood(id="n1", municipality_id="m1", key="n1", name="Centre", code="n1",
                            geometry={}, adjacent_ids=("n2",))
ANA = Caller(user_id="u1", role=RESIDENT, municipality_id="m1")


def fields(**overrides):
    base = {"title": "Street party", "description": "Bring a dish to share.",
            "starts_at": "2026-12-05T18:00:00+01:00", "ends_at": "2026-12-05T23:00:00+01:00",
            "place": "Rue Haute, by the fountain"}
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not ...}


def create(**overrides):
    return calendar.new_event(ANA, HOME, "Ana", fields(**overrides), now=NOW,
                              new_id=lambda: "e1")


def problems(call, *args, **kwargs):
    with pytest.raises(DomainError) as raised:
        call(*args, **kwargs)
    return raised.value


def test_an_event_keeps_the_local_time_it_was_given_and_sorts_by_utc():
    event = create(point=[6.13, 49.61], small_fee=True)

    assert (event.id, event.neighbourhood_id, event.organiser_id) == ("e1", "n1", "u1")
    assert event.starts_at == "2026-12-05T18:00:00+01:00"
    assert event.starts_at_utc == "2026-12-05T17:00:00Z"
    assert event.ends_at_utc == "2026-12-05T22:00:00Z"
    assert event.point == (6.13, 49.61) and event.small_fee is True
    assert event.status == calendar.SCHEDULED


@pytest.mark.parametrize("overrides, field, says", [
    ({"starts_at": "2026-12-05T18:00:00"}, "starts_at", "time zone is missing"),
    ({"starts_at": "next friday"}, "starts_at", "ISO 8601"),
    ({"ends_at": "2026-12-05T17:00:00+01:00"}, "ends_at", "after starts_at"),
    ({"ends_at": "2026-12-25T17:00:00+01:00"}, "ends_at", "at most 14 days"),
    ({"starts_at": "2026-11-20T18:00:00+01:00", "ends_at": "2026-11-20T20:00:00+01:00"},
     "starts_at", "past"),
    ({"starts_at": "2029-12-05T18:00:00+01:00", "ends_at": "2029-12-05T20:00:00+01:00"},
     "starts_at", "two years"),
    ({"title": "Hi"}, "title", "3 to 120"),
    ({"title": ...}, "title", "3 to 120"),
    ({"description": "x" * 4001}, "description", "4000"),
    ({"place": " "}, "place", "1 to 200"),
    ({"point": [200, 49.6]}, "point", "WGS 84"),
    ({"point": [6.1]}, "point", "WGS 84"),
    ({"small_fee": "yes"}, "small_fee", "true or false"),
    ({"price": 5}, "price", "unknown field"),
])
def test_bad_events_are_refused_naming_the_field(overrides, field, says):
    error = problems(create, **overrides)

    assert error.code == errors.INVALID
    assert says in error.details[field]


def test_every_problem_is_reported_at_once():
    error = problems(create, title="", place="", starts_at="soon")

    assert set(error.details) == {"title", "place", "starts_at"}


@pytest.mark.parametrize("title, description, small_fee", [
    ("Street party", "Free for everyone, bring a dish", False),
    ("Flea market", "Garage sale in the courtyard, pitches for neighbours", False),
    ("Repair café", "Coffee and cake for 3 €", True),
    ("Apéro", "Contribution: 2,50 EUR", True),
    ("Concert in the park", "Entrance 0 €", False),
    ("Fleur 5 de mai", "Planting flowers on the square", False),
])
def test_neighbourly_events_pass_the_commercial_rule(title, description, small_fee):
    assert calendar.commercial_reasons(title, description, small_fee) == []


@pytest.mark.parametrize("title, description, small_fee, rule, matched", [
    ("Wine tasting", "Promo -20% on every bottle, 8 € a glass", True,
     "price_with_sales_words", {"8 €", "Promo", "-20%"}),
    ("Yoga", "Special offer for neighbours: 5 EUR", True,
     "price_with_sales_words", {"5 EUR", "Special offer"}),
    ("Pizza evening", "Bestellen Sie jetzt, nur 9 €", True,
     "price_with_sales_words", {"9 €", "Bestellen"}),
    ("Gala", "Tickets 45 €", True, "fee_above_small_fee", {"45 €"}),
    ("Quiz night", "Entry € 1.000,50 for the team", True, "fee_above_small_fee",
     {"€ 1.000,50"}),
    ("Barbecue", "Participation 6 €", False, "fee_without_small_fee_flag", {"6 €"}),
])
def test_commercial_events_are_refused_with_the_rule_and_what_matched(
        title, description, small_fee, rule, matched):
    error = problems(calendar.refuse_commercial, title, description, small_fee)

    assert error.code == errors.UNPROCESSABLE
    assert "commercial" in error.message
    reasons = {r["rule"]: r for r in error.details["reasons"]}
    assert rule in reasons
    assert set(reasons[rule]["matched"]) == matched
    assert reasons[rule]["message"]


def test_creating_a_commercial_event_is_refused_like_the_rule_says():
    error = problems(create, title="Shop opening", description="Discount 30 € on all bikes")

    assert error.code == errors.UNPROCESSABLE
    assert [r["rule"] for r in error.details["reasons"]] == [
        "price_with_sales_words", "fee_above_small_fee"]


def test_prices_are_read_as_people_write_them():
    assert calendar.prices_in("2,50 € or $3 or EUR 1 000 or 12.5 chf") == [
        ("$3", 3.0), ("EUR 1 000", 1000.0), ("2,50 €", 2.5), ("12.5 chf", 12.5)]


def test_an_edit_is_checked_as_a_whole_and_keeps_what_it_does_not_name():
    event = create()

    moved = calendar.edited_event(event, {"starts_at": "2026-12-06T10:00:00+01:00",
                                          "ends_at": "2026-12-06T12:00:00+01:00",
                                          "point": [6.1, 49.6]}, now=NOW)
    unpinned = calendar.edited_event(moved, {"point": None}, now=NOW)

    assert (moved.title, moved.place) == (event.title, event.place)
    assert moved.starts_at_utc == "2026-12-06T09:00:00Z" and moved.point == (6.1, 49.6)
    assert unpinned.point is None
    assert problems(calendar.edited_event, event, {"ends_at": "2026-12-05T17:00:00+01:00"},
                    now=NOW).details == {"ends_at": "must be after starts_at"}
    assert problems(calendar.edited_event, event, {"title": "Sale: 50 € discount"},
                    now=NOW).code == errors.UNPROCESSABLE
    assert problems(calendar.edited_event, event, {}, now=NOW).code == errors.INVALID


def test_an_event_under_way_can_be_edited_without_moving_its_start():
    event = create()
    during = datetime(2026, 12, 5, 18, 0, tzinfo=timezone.utc)

    edited = calendar.edited_event(event, {"place": "Moved indoors: the school hall"},
                                   now=during)

    assert edited.place == "Moved indoors: the school hall"


def test_residents_create_in_their_home_only():
    staff = Caller(user_id="s1", role=CITY_STAFF, municipality_id="m1")

    assert calendar.require_home(ANA, HOME, "n1", ["n1", "n2"]) is HOME
    assert problems(calendar.require_home, ANA, HOME, "n2", ["n1", "n2"]).code \
        == errors.FORBIDDEN
    assert problems(calendar.require_home, ANA, HOME, "n3", ["n1", "n2"]).code \
        == errors.NOT_FOUND
    assert problems(calendar.require_home, staff, None, "n1", []).code == errors.FORBIDDEN


def test_the_calendar_is_for_residents_who_see_the_neighbourhood():
    staff = Caller(user_id="s1", role=CITY_STAFF, municipality_id="m1")
    other_city = Caller(user_id="s2", role=CITY_STAFF, municipality_id="m2")

    assert calendar.require_calendar_access(ANA, HOME, True) is HOME
    assert problems(calendar.require_calendar_access, ANA, HOME, False).code \
        == errors.NOT_FOUND
    assert problems(calendar.require_calendar_access, ANA, None, False).code \
        == errors.NOT_FOUND
    assert problems(calendar.require_calendar_access, staff, HOME, True).code \
        == errors.FORBIDDEN
    assert problems(calendar.require_calendar_access, other_city, HOME, False).code \
        == errors.NOT_FOUND


def test_an_event_is_read_where_it_is_visible_and_changed_by_its_organiser_only():
    event = create()
    ben = Caller(user_id="u2", role=RESIDENT, municipality_id="m1")
    staff = Caller(user_id="s1", role=CITY_STAFF, municipality_id="m1")

    assert calendar.require_visible_event(ben, event, ["n1"]) is event
    assert problems(calendar.require_visible_event, ben, event, ["n2"]).code \
        == errors.NOT_FOUND
    assert problems(calendar.require_visible_event, staff, event, ["n1"]).code \
        == errors.NOT_FOUND
    assert calendar.require_organiser(ANA, event) is event
    # Moved away (a register correction): still theirs to change or cancel.
    assert calendar.require_visible_event(ANA, event, ["n7"]) is event
    assert problems(calendar.require_organiser, ben, event).code == errors.FORBIDDEN


def test_cancelled_and_ended_events_take_no_more_changes_or_answers():
    event = create()
    after_it = datetime(2026, 12, 6, tzinfo=timezone.utc)
    cancelled = calendar.CalendarEvent.from_dict(dict(event.to_dict(), status="cancelled"))

    assert calendar.require_open(event, now=NOW) is event
    assert "ended" in problems(calendar.require_open, event, now=after_it).message
    assert "cancelled" in problems(calendar.require_open, cancelled, now=NOW).message


def test_rsvp_answers_are_a_fixed_set():
    assert calendar.read_rsvp("maybe") == "maybe"
    assert problems(calendar.read_rsvp, "yes").details == {
        "response": "one of going, maybe, not_going"}


def test_the_upcoming_list_starts_no_earlier_than_a_running_event_can_have_started():
    floor = calendar.utc_key(NOW - calendar.MAX_DURATION)

    assert calendar.upcoming_after(None, now=NOW) == (floor, "")
    assert calendar.upcoming_after(["2026-12-01T00:00:00Z", "e9"], now=NOW) == (
        "2026-12-01T00:00:00Z", "e9")
    assert calendar.upcoming_after(["2000-01-01T00:00:00Z", "e9"], now=NOW) == (floor, "")
    assert problems(calendar.upcoming_after, {"a": 1}, now=NOW).code == errors.INVALID


def test_a_point_lies_in_the_neighbourhood_or_next_door():
    calendar.check_point_near((6.1, 49.6), "n1", HOME)
    calendar.check_point_near((6.1, 49.6), "n2", HOME)
    calendar.check_point_near(None, None, HOME)

    assert problems(calendar.check_point_near, (6.1, 49.6), "n3", HOME).details == {
        "point": "must lie in the event's neighbourhood or one adjacent to it"}
    assert problems(calendar.check_point_near, (6.1, 49.6), None, HOME).code == errors.INVALID


def test_the_view_shows_first_name_counts_and_my_answer():
    event = create()

    shown = calendar.view(event, {"going": 3}, "maybe", caller_id="u2")

    assert shown["organiser"] == {"user_id": "u1", "first_name": "Ana"}
    assert shown["rsvp_counts"] == {"going": 3, "maybe": 0, "not_going": 0}
    assert shown["my_rsvp"] == "maybe" and shown["organised_by_me"] is False
    assert "starts_at_utc" not in shown and "municipality_id" not in shown


def test_the_export_holds_events_organised_and_answers():
    event = create()

    exported = calendar.export([event], [("e7", "going", "2026-11-22T12:00:00+00:00")])

    assert exported["events_organised"][0]["title"] == "Street party"
    assert exported["rsvps"] == [{"event_id": "e7", "response": "going",
                                  "answered_at": "2026-11-22T12:00:00+00:00"}]


def test_an_event_round_trips_through_its_dict():
    event = create(point=[6.1, 49.6])

    assert calendar.CalendarEvent.from_dict(event.to_dict()) == event
    assert calendar.now_utc() - datetime.now(timezone.utc) < timedelta(seconds=1)
