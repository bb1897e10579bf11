"""Abuse: moderation and suspension have side doors.

Tried as an attacker through the gateway: a resident suspended by a moderator kept publishing by
every write path but new posts and comments (editing a post, events, chat, helper profile,
initiatives, budget projects); an event edit was never screened (creating one is); an edited post
that moderation holds was stored published first and held afterwards.

A municipality of its own (stack.build_town): Sam is suspended here, Nia and Ola are neighbours.
What a suspended person may still do (read, export, withdraw, protect themselves, take part in
the city's votes and surveys) is checked too, so the gate does not grow into a lock-out."""
import threading
from datetime import datetime, timedelta, timezone

import pytest

from tests import participation_samples as samples
from tests.e2e.stack import add_staff_account, build_town, wait_until

pytestmark = pytest.mark.timeout(600)

EVENT_TIMEOUT = 15.0
# Moderation's scorer blocks the first and holds the second (as in tests/e2e/test_moderation.py).
BLOCKED = "Use promo code SPRING20 for 20% off at our webshop www.best-shop.com, order now"
HELD = "Handmade candles for sale, DM for price"
CLEAN_BODY = "Who wants to ride along the river on Sunday?"


def local(days, hour=18):
    moment = datetime.now(timezone(timedelta(hours=1))) + timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0).isoformat()


def party(title="Street party", description="Bring a dish to share", days=3):
    return {"title": title, "description": description, "starts_at": local(days),
            "ends_at": local(days, 23), "place": "Rue Haute, by the fountain"}


def call(town, method, path, who, **kwargs):
    token = who if who not in town.tokens else town.tokens[who]
    return town.api.request(method, path, token, **kwargs)


def created(response, status=201):
    assert response.status_code == status, response.text
    return response.json()


@pytest.fixture(scope="module")
def town(platform):
    running = platform.platform
    built = build_town(running, "sidedoors", 1, 1, {
        "sam": ((0, 0), "Rue Haute", "Sam Roth"), "nia": ((0, 0), "Rue Basse", "Nia Kern"),
        "ola": ((0, 0), "Rue Neuve", "Ola Weber")})
    built.mod = add_staff_account(built, running, "sidedoors", "moderator", "Mo Derator")
    return built


@pytest.fixture(scope="module")
def suspended(town):
    """Sam's content from before the suspension, then Sam suspended for three days."""
    home = town.homes["sam"]
    before = {
        "post": created(call(town, "POST", "/api/v1/posts", "sam", json={
            "category": "message", "title": "Bikes", "body": CLEAN_BODY})),
        "nia_post": created(call(town, "POST", "/api/v1/posts", "nia", json={
            "category": "message", "title": "Lost keys", "body": "Blue keyring near the bakery"})),
        "event": created(call(town, "POST", "/api/v1/neighbourhoods/%s/events" % home, "sam",
                              json=party())),
        "direct": created(call(town, "POST", "/api/v1/conversations", "sam",
                               json={"member_ids": [town.users["nia"]]})),
        "group": created(call(town, "POST", "/api/v1/conversations", "sam",
                              json={"member_ids": [town.users["nia"]], "title": "Bike club"})),
        "profile": created(call(town, "PUT", "/api/v1/me/helper-profile", "sam", json={
            "skills": ["gardening"], "free_text": "I mow lawns", "languages": ["fr"]}), 200),
        "budget": created(call(town, "POST", "/api/v1/city/budgets", town.staff,
                               json=samples.budget(neighbourhood_id=home))),
        "survey": created(call(town, "POST", "/api/v1/city/surveys", town.staff,
                               json=samples.survey([home]))),
    }
    held = created(call(town, "POST", "/api/v1/posts", "sam", json={
        "category": "message", "title": "Candles", "body": HELD}))
    decided = created(call(town, "POST", "/api/v1/moderation/cases/post_%s/decision" % held["id"],
                           town.mod, json={"decision": "suspend", "reason": "repeated adverts",
                                           "suspension_days": 3}), 200)
    before["until"] = decided["decision"]["until"]

    def refused():
        response = call(town, "POST", "/api/v1/posts", "sam", json={
            "category": "message", "title": "Hi", "body": "Anyone for a walk?"})
        return [response] if response.status_code == 403 else None
    wait_until(refused, EVENT_TIMEOUT, describe=lambda _: "Sam's posts refused")
    return before


def assert_suspension_refusal(response, until):
    assert response.status_code == 403, response.text
    error = response.json()["error"]
    assert error["code"] == "forbidden"
    assert error["details"]["suspended_until"] == until
    assert until[:10] in error["message"]


def _edit_post(town, s):
    path = "/api/v1/posts/" + s["post"]["id"]
    return (call(town, "PATCH", path, "sam", json={"body": "Now selling bikes, DM me"}),
            lambda: call(town, "GET", path, "nia").json()["body"] == CLEAN_BODY)


def _comment(town, s):
    path = "/api/v1/posts/%s/comments" % s["nia_post"]["id"]
    return (call(town, "POST", path, "sam", json={"body": "Found them!"}),
            lambda: call(town, "GET", path, "nia").json()["items"] == [])


def _create_event(town, s):
    path = "/api/v1/neighbourhoods/%s/events" % town.homes["sam"]
    return (call(town, "POST", path, "sam", json=party(title="Another party", days=4)),
            lambda: [e["id"] for e in call(town, "GET", path, "nia").json()["items"]]
            == [s["event"]["id"]])


def _edit_event(town, s):
    path = "/api/v1/events/" + s["event"]["id"]
    return (call(town, "PATCH", path, "sam", json={"description": "Now with paid entry"}),
            lambda: call(town, "GET", path, "nia").json()["description"]
            == s["event"]["description"])


def _send_message(town, s):
    path = "/api/v1/conversations/%s/messages" % s["direct"]["id"]
    return (call(town, "POST", path, "sam", json={"body": "Answer me"}),
            lambda: call(town, "GET", path, "nia").json()["items"] == [])


def _start_conversation(town, s):
    return (call(town, "POST", "/api/v1/conversations", "sam",
                 json={"member_ids": [town.users["ola"]]}),
            lambda: call(town, "GET", "/api/v1/conversations", "ola").json()["items"] == [])


def _add_members(town, s):
    path = "/api/v1/conversations/%s" % s["group"]["id"]
    return (call(town, "POST", path + "/members", "sam",
                 json={"member_ids": [town.users["ola"]]}),
            lambda: call(town, "GET", "/api/v1/conversations", "ola").json()["items"] == [])


def _helper_profile(town, s):
    return (call(town, "PUT", "/api/v1/me/helper-profile", "sam", json={
                "skills": ["gardening"], "free_text": "Cheap lawn mowing, call me"}),
            lambda: call(town, "GET", "/api/v1/me/helper-profile", "sam").json()["free_text"]
            == "I mow lawns")


def _initiative(town, s):
    return (call(town, "POST", "/api/v1/initiatives", "sam", json={
                "title": "Benches everywhere", "text": "Older neighbours need a rest"}),
            lambda: call(town, "GET", "/api/v1/initiatives", "nia").json()["items"] == [])


def _budget_project(town, s):
    path = "/api/v1/budgets/" + s["budget"]["id"]
    return (call(town, "POST", path + "/projects", "sam", json={"title": "A skate park",
                                                                "cost": 500}),
            lambda: call(town, "GET", path, "nia").json()["projects"] == [])


def _display_name(town, s):
    # The name neighbours read on everything the person wrote.
    return (call(town, "PATCH", "/api/v1/me", "sam", json={"display_name": "Cheap Candles"}),
            lambda: call(town, "GET", "/api/v1/posts/" + s["post"]["id"], "nia").json()[
                "author"]["name"] == "Sam Roth")


WRITES = [_edit_post, _comment, _create_event, _edit_event, _send_message, _start_conversation,
          _add_members, _helper_profile, _initiative, _budget_project, _display_name]


@pytest.mark.parametrize("write", WRITES, ids=[w.__name__.strip("_") for w in WRITES])
def test_a_suspended_resident_gets_403_and_changes_nothing(town, suspended, write):
    response, unchanged = write(town, suspended)
    assert_suspension_refusal(response, suspended["until"])
    assert unchanged()


def test_a_suspended_resident_still_reads_withdraws_and_takes_part_in_city_processes(
        town, suspended):
    s = suspended
    assert call(town, "GET", "/api/v1/feed", "sam").status_code == 200
    assert call(town, "GET", "/api/v1/me/export", "sam").status_code == 200
    event = "/api/v1/events/%s/rsvp" % s["event"]["id"]
    assert call(town, "PUT", event, "sam", json={"response": "going"}).status_code == 200
    thanks = "/api/v1/posts/%s/reactions/thanks" % s["nia_post"]["id"]
    assert call(town, "PUT", thanks, "sam").status_code == 200
    assert call(town, "DELETE", thanks, "sam").status_code == 200
    report = call(town, "POST", "/api/v1/posts/%s/reports" % s["nia_post"]["id"], "sam",
                  json={"reason": "spam_commercial"})
    assert report.status_code == 201, report.text
    blocked = "/api/v1/me/blocks/" + town.users["nia"]
    assert call(town, "PUT", blocked, "sam").status_code == 200
    assert call(town, "DELETE", blocked, "sam").status_code == 200
    answer = call(town, "POST", "/api/v1/surveys/%s/responses" % s["survey"]["id"], "sam",
                  json={"answers": samples.answers()})
    assert answer.status_code == 201, answer.text
    left = call(town, "DELETE", "/api/v1/conversations/%s/members/me" % s["group"]["id"], "sam")
    assert left.status_code == 200, left.text
    language = call(town, "PATCH", "/api/v1/me", "sam", json={"language": "de"})
    assert language.status_code == 200, language.text


def test_an_event_edit_that_moderation_refuses_is_422_and_changes_nothing(town):
    home = town.homes["nia"]
    event = created(call(town, "POST", "/api/v1/neighbourhoods/%s/events" % home, "nia",
                         json=party(title="Garden swap", description="Bring seedlings")))
    path = "/api/v1/events/" + event["id"]
    for text in (BLOCKED, HELD):
        refused = call(town, "PATCH", path, "nia", json={"description": text})
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["details"]["reasons"]
    seen = call(town, "GET", path, "ola").json()
    assert (seen["title"], seen["description"]) == ("Garden swap", "Bring seedlings")
    assert call(town, "PATCH", path, "nia", json={"place": "The school garden"}).status_code \
        == 200


def test_an_edited_post_that_moderation_holds_is_never_readable_by_another_resident(town):
    posts = [created(call(town, "POST", "/api/v1/posts", "nia", json={
        "category": "message", "title": "Garden %d" % n, "body": "Spare tomato seedlings"}))
        for n in range(5)]
    sightings, done = [], threading.Event()

    def watch(post_id):
        # Another resident reads the post for as long as it is being edited.
        while not done.is_set():
            seen = call(town, "GET", "/api/v1/posts/" + post_id, "ola")
            if seen.status_code == 200 and seen.json()["body"] == HELD:
                sightings.append(post_id)

    watchers = [threading.Thread(target=watch, args=(p["id"],), daemon=True) for p in posts]
    for watcher in watchers:
        watcher.start()
    try:
        for post in posts:
            edited = call(town, "PATCH", "/api/v1/posts/" + post["id"], "nia",
                          json={"body": HELD})
            assert edited.status_code == 200, edited.text
            assert edited.json()["moderation"] == "pending"
    finally:
        done.set()
        for watcher in watchers:
            watcher.join(10)
    assert sightings == []
    feed = [p["id"] for p in call(town, "GET", "/api/v1/feed", "ola",
                                  params={"limit": 100}).json()["items"]]
    for post in posts:
        assert call(town, "GET", "/api/v1/posts/" + post["id"], "ola").status_code == 404
        assert post["id"] not in feed
        assert call(town, "GET", "/api/v1/posts/" + post["id"], "nia").json()["body"] == HELD

    clean = created(call(town, "POST", "/api/v1/posts", "nia", json={
        "category": "message", "title": "Seeds", "body": "Spare bean seeds"}))
    refused = call(town, "PATCH", "/api/v1/posts/" + clean["id"], "nia", json={"body": BLOCKED})
    assert refused.status_code == 422, refused.text
    assert call(town, "GET", "/api/v1/posts/" + clean["id"], "ola").json()["body"] \
        == "Spare bean seeds"
