"""Issue 4, the calendar and organisations map, through the gateway against running services:
residents registered the real way (polygons, address register, letters, codes) create events at
home; a resident who neither lives in nor follows a neighbourhood gets 404 for its events and
organisations; concurrent RSVPs are counted exactly; a commercial event is refused with its
reasons; organisations are served as valid GeoJSON inside their neighbourhood; erasure takes a
resident's events with them.

A municipality of its own (stack.build_town) keeps these tests independent of the demo seed."""
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
import requests
import shapely.geometry

from tests import neighbourhood_grid as grid
from tests.e2e.stack import build_town, wait_until

pytestmark = pytest.mark.timeout(300)

ERASURE_TIMEOUT = 20.0
CROWD = 24  # residents answering one event at once
# The strip r0c0 | r0c1 | r0c2: r0c0 and r0c2 are not adjacent.
RESIDENTS = dict(
    {"ana": ((0, 0), "Rue Haute", "Ana Lima"),
     "ben": ((0, 0), "Rue Basse", "Ben Weber"),
     "chloe": ((0, 1), "Place du Marché", "Chloé Petit"),
     "dan": ((0, 2), "Rue du Moulin", "Dan Muller")},
    **{"n%02d" % i: ((0, 0), "Rue Neuve", "Neighbour%02d Test" % i) for i in range(CROWD)})


def local(days, hour=18):
    """`days` from now at `hour`, local time in Luxembourg in winter, as a resident types it."""
    moment = datetime.now(timezone(timedelta(hours=1))) + timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0).isoformat()


def party(days=3, **overrides):
    fields = {"title": "Street party", "description": "Bring a dish to share",
              "starts_at": local(days), "ends_at": local(days, 23),
              "place": "Rue Haute, by the fountain"}
    fields.update(overrides)
    return fields


@pytest.fixture(scope="module")
def town(platform):
    return build_town(platform.platform, "calendar", 1, 3, RESIDENTS)


def call(town, method, path, who, **kwargs):
    token = town.staff if who == "staff" else town.tokens[who]
    return town.api.request(method, path, token, **kwargs)


def events_path(town, cell):
    return "/api/v1/neighbourhoods/%s/events" % town.cells[cell]


def organisations_path(town, cell, query=""):
    return "/api/v1/neighbourhoods/%s/organisations%s" % (town.cells[cell], query)


def create_event(town, who="ana", cell="r0c0", key=None, **overrides):
    headers = {"Idempotency-Key": key} if key else {}
    return call(town, "POST", events_path(town, cell), who, json=party(**overrides),
                headers=headers)


def test_an_event_is_seen_by_neighbours_and_followers_and_404_for_everyone_else(town):
    created = create_event(town, point=grid.point_in(0, 0, (0.3, 0.3)))
    assert created.status_code == 201, created.text
    event = created.json()

    neighbour = call(town, "GET", events_path(town, "r0c0"), "ben")
    stranger = call(town, "GET", events_path(town, "r0c0"), "dan")
    stranger_event = call(town, "GET", "/api/v1/events/" + event["id"], "dan")
    unknown = call(town, "GET", "/api/v1/neighbourhoods/%s/events" % ("0" * 32), "dan")
    staff = call(town, "GET", events_path(town, "r0c0"), "staff")
    before_follow = call(town, "GET", "/api/v1/events/" + event["id"], "chloe")
    call(town, "PUT", "/api/v1/me/follows/" + town.cells["r0c0"], "chloe")
    after_follow = call(town, "GET", "/api/v1/events/" + event["id"], "chloe")
    call(town, "DELETE", "/api/v1/me/follows/" + town.cells["r0c0"], "chloe")

    assert event["organiser"] == {"user_id": town.users["ana"], "first_name": "Ana"}
    assert event["starts_at"].endswith("+01:00") and event["rsvp_counts"] == {
        "going": 0, "maybe": 0, "not_going": 0}
    assert event["id"] in [e["id"] for e in neighbour.json()["items"]]
    # dan's home is not adjacent: he cannot follow it and learns nothing about it.
    assert stranger.status_code == stranger_event.status_code == 404
    assert stranger.json() == unknown.json() == {
        "error": {"code": "not_found", "message": "neighbourhood not found"}}
    assert staff.status_code == 403
    assert before_follow.status_code == 404 and after_follow.status_code == 200


def test_a_non_member_gets_404_for_another_neighbourhood_s_organisations(town):
    created = call(town, "POST", "/api/v1/city/organisations", "staff", json={
        "name": "Tennis Club Centre", "category": "sports_club", "address": "3 rue du Stade",
        "point": grid.point_in(0, 0, (0.7, 0.7))})
    assert created.status_code == 201, created.text

    member = call(town, "GET", organisations_path(town, "r0c0"), "ana")
    stranger = call(town, "GET", organisations_path(town, "r0c0"), "dan")
    unknown = call(town, "GET", "/api/v1/neighbourhoods/%s/organisations" % ("0" * 32), "dan")

    assert created.json()["id"] in [f["id"] for f in member.json()["features"]]
    assert stranger.status_code == 404
    assert stranger.json() == unknown.json()


def test_concurrent_rsvps_are_counted_exactly(town):
    event = create_event(town, who="ben", title="Neighbours' breakfast").json()
    crowd = ["n%02d" % i for i in range(CROWD)]
    rsvp = "/api/v1/events/%s/rsvp" % event["id"]

    def answer(who, response):
        return call(town, "PUT", rsvp, who, json={"response": response}).status_code

    with ThreadPoolExecutor(CROWD) as pool:
        # Everyone says "going" at once, twice each (a retried PUT changes nothing) ...
        going = list(pool.map(answer, crowd + crowd, ["going"] * (2 * CROWD)))
        # ... then half of them change their mind at once.
        changed = list(pool.map(answer, crowd[:CROWD // 2], ["maybe"] * (CROWD // 2)))
    seen_by_ana = call(town, "GET", "/api/v1/events/" + event["id"], "ana").json()
    seen_by_n00 = call(town, "GET", "/api/v1/events/" + event["id"], "n00").json()
    listed = {e["id"]: e for e in call(town, "GET", events_path(town, "r0c0"),
                                       "ana").json()["items"]}

    assert set(going) == set(changed) == {200}
    assert seen_by_ana["rsvp_counts"] == {"going": CROWD // 2, "maybe": CROWD // 2,
                                          "not_going": 0}
    assert listed[event["id"]]["rsvp_counts"] == seen_by_ana["rsvp_counts"]
    assert seen_by_ana["my_rsvp"] is None and seen_by_n00["my_rsvp"] == "maybe"


def test_a_commercial_event_is_refused_with_a_reason_and_nothing_is_stored(town):
    refused = create_event(town, title="Bike shop open day",
                           description="Special offer: -20% on every bike, helmets 35 €")
    unflagged = create_event(town, title="Barbecue", description="Participation 6 € per person")
    flagged = create_event(town, title="Barbecue", description="Participation 6 € per person",
                           small_fee=True)
    titles = [e["title"] for e in call(town, "GET", events_path(town, "r0c0"),
                                       "ana").json()["items"]]

    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "unprocessable" and "commercial" in error["message"]
    reasons = {r["rule"]: r for r in error["details"]["reasons"]}
    assert set(reasons) == {"price_with_sales_words", "fee_above_small_fee"}
    assert set(reasons["price_with_sales_words"]["matched"]) == {
        "35 €", "-20%", "Special offer"}
    assert unflagged.status_code == 422
    assert [r["rule"] for r in unflagged.json()["error"]["details"]["reasons"]] == [
        "fee_without_small_fee_flag"]
    assert flagged.status_code == 201 and flagged.json()["small_fee"] is True
    assert "Bike shop open day" not in titles and titles.count("Barbecue") == 1


def test_bad_events_are_refused_clearly_and_creates_are_idempotent(town):
    no_zone = create_event(town, starts_at="2026-12-05T18:00:00")
    backwards = create_event(town, starts_at=local(4, 20), ends_at=local(4, 19))
    key = "repair-cafe-" + uuid.uuid4().hex[:8]
    first = create_event(town, key=key, title="Repair café")
    replays = [create_event(town, key=key, title="Repair café") for _ in range(3)]
    other_body = create_event(town, key=key, title="Something else")
    listed = [e["title"] for e in call(town, "GET", events_path(town, "r0c0"),
                                       "ana").json()["items"]]

    assert no_zone.status_code == 400
    assert "time zone" in no_zone.json()["error"]["details"]["starts_at"]
    assert backwards.status_code == 400
    assert backwards.json()["error"]["details"] == {"ends_at": "must be after starts_at"}
    assert first.status_code == 201
    assert {r.json()["id"] for r in replays} == {first.json()["id"]}
    assert other_body.status_code == 422
    assert listed.count("Repair café") == 1


def test_only_the_organiser_edits_and_cancels(town):
    event = create_event(town, who="ben", title="Garden day").json()
    path = "/api/v1/events/" + event["id"]

    by_other = call(town, "PATCH", path, "ana", json={"title": "Mine now"})
    edited = call(town, "PATCH", path, "ben", json={"place": "The school garden"})
    cancelled = call(town, "DELETE", path, "ben")
    answer = call(town, "PUT", path + "/rsvp", "ana", json={"response": "going"})

    assert by_other.status_code == 403
    assert edited.status_code == 200 and edited.json()["place"] == "The school garden"
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert answer.status_code == 409


def rfc7946_problems(collection):
    """What makes this not a GeoJSON FeatureCollection of Points (RFC 7946 §3, §9)."""
    problems = []
    if collection.get("type") != "FeatureCollection" or not isinstance(
            collection.get("features"), list):
        return ["not a FeatureCollection"]
    if "crs" in collection:
        problems.append("RFC 7946 has no crs member (WGS 84 only)")
    for index, feature in enumerate(collection["features"]):
        geometry = feature.get("geometry") or {}
        coordinates = geometry.get("coordinates")
        if feature.get("type") != "Feature":
            problems.append("%d: not a Feature" % index)
        if not isinstance(feature.get("id"), (str, int)):
            problems.append("%d: id must be a string or number" % index)
        if not isinstance(feature.get("properties"), (dict, type(None))):
            problems.append("%d: properties must be an object or null" % index)
        if geometry.get("type") != "Point" or not (
                isinstance(coordinates, list) and len(coordinates) == 2
                and all(isinstance(v, (int, float)) for v in coordinates)
                and -180 <= coordinates[0] <= 180 and -90 <= coordinates[1] <= 90):
            problems.append("%d: geometry must be a Point [lon, lat]" % index)
    return problems


def test_organisations_are_served_as_valid_geojson_inside_their_neighbourhood(town):
    entries = [("Bibliothèque municipale", "library", (0.2, 0.2)),
               ("École fondamentale", "school", (0.5, 0.8)),
               ("Maison relais", "childcare", (0.8, 0.4))]
    for name, category, fraction in entries:
        created = call(town, "POST", "/api/v1/city/organisations", "staff",
                       headers={"Idempotency-Key": "org-" + category}, json={
                           "name": name, "category": category, "address": "1 rue X",
                           "point": grid.point_in(0, 1, fraction),
                           "website": "https://example.org/" + category})
        assert created.status_code == 201, created.text
        replay = call(town, "POST", "/api/v1/city/organisations", "staff",
                      headers={"Idempotency-Key": "org-" + category}, json={
                          "name": name, "category": category, "address": "1 rue X",
                          "point": grid.point_in(0, 1, fraction),
                          "website": "https://example.org/" + category})
        assert replay.json()["id"] == created.json()["id"]
    outside = call(town, "POST", "/api/v1/city/organisations", "staff", json={
        "name": "Nowhere", "category": "culture", "address": "x",
        "point": grid.point_in(0, 1), "neighbourhood_id": town.cells["r0c2"]})

    served = call(town, "GET", organisations_path(town, "r0c1"), "chloe")
    schools = call(town, "GET", organisations_path(town, "r0c1", "?category=school"), "chloe")
    bad_category = call(town, "GET", organisations_path(town, "r0c1", "?category=bar"), "chloe")
    polygon = shapely.geometry.shape(call(town, "GET", "/api/v1/neighbourhoods/" + town.cells[
        "r0c1"], "chloe").json()["geometry"])

    assert served.status_code == 200
    assert served.headers["Content-Type"].startswith("application/geo+json")
    collection = served.json()
    assert rfc7946_problems(collection) == []
    assert [f["properties"]["name"] for f in collection["features"]] == [
        "Bibliothèque municipale", "École fondamentale", "Maison relais"]
    assert all(polygon.contains(shapely.geometry.shape(f["geometry"]))
               for f in collection["features"])
    assert [f["properties"]["category"] for f in schools.json()["features"]] == ["school"]
    assert outside.status_code == 400 and "point" in outside.json()["error"]["details"]
    assert bad_category.status_code == 400
    # Residents do not manage the map.
    assert call(town, "POST", "/api/v1/city/organisations", "chloe", json={
        "name": "Mine", "category": "culture", "address": "x",
        "point": grid.point_in(0, 1)}).status_code == 403


def test_an_erased_resident_s_events_leave_the_calendar(town):
    event = create_event(town, who="n23", title="Farewell drinks").json()
    call(town, "PUT", "/api/v1/events/%s/rsvp" % event["id"], "ana", json={"response": "going"})
    export = call(town, "GET", "/api/v1/me/export", "n23")

    erased = call(town, "DELETE", "/api/v1/me", "n23")

    assert export.status_code == 200
    assert [e["title"] for e in export.json()["neighbourhood"]["calendar"][
        "events_organised"]] == ["Farewell drinks"]
    assert erased.status_code == 200
    wait_until(lambda: call(town, "GET", "/api/v1/events/" + event["id"],
                            "ana").status_code == 404, ERASURE_TIMEOUT)


def test_a_demo_resident_sees_the_seeded_organisations_map(platform):
    resident = platform.credentials["residents"][0]
    login = requests.post(
        platform.platform.http_url + "/api/v1/auth/login",
        json={"email": resident["email"], "password": resident["password"]}, timeout=20)
    assert login.status_code == 200, login.text

    served = platform.get("/api/v1/neighbourhoods/%s/organisations"
                          % resident["neighbourhood_id"], token=login.json()["access_token"])

    assert served.status_code == 200
    assert rfc7946_problems(served.json()) == []
    assert sorted(f["properties"]["category"] for f in served.json()["features"]) == [
        "childcare", "library", "school", "seniors", "sports_club"]
