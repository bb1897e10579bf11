"""Issue 4, acceptance 1-7 (posts, feed, thanks, idempotency, announcements, the city's reading),
through the gateway against running services, with residents registered the real way.

The town: a 2 x 2 grid. r0c0 "A" (Marie, Paul and fifty thankers), r0c1 "B" (Chloé, adjacent to
A), r1c0 "C" (Eve, alone: her feed is the paging test's), r1c1 "D" (Lucas, diagonal to A: not
adjacent, so never followable from A)."""
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest

from tests.e2e.stack import build_town, wait_until

pytestmark = pytest.mark.timeout(600)

THANKERS = ["t%02d" % n for n in range(50)]
EVENT_TIMEOUT = 15.0


@pytest.fixture(scope="module")
def town(platform):
    residents = {
        "marie": ((0, 0), "Rue Haute", "Marie Dupont"),
        "paul": ((0, 0), "Rue Basse", "Paul Martin"),
        "chloe": ((0, 1), "Place du Marché", "Chloé Petit"),
        "eve": ((1, 0), "Rue du Moulin", "Eve Laurent"),
        "lucas": ((1, 1), "Avenue de la Gare", "Lucas Bernard"),
    }
    residents.update({key: ((0, 0), "Rue des Merci", "Thanker %s" % key) for key in THANKERS})
    return build_town(platform.platform, "feed", 2, 2, residents)


def call(town, method, path, who, **kwargs):
    token = town.staff if who == "staff" else town.tokens[who]
    return town.api.request(method, path, token, **kwargs)


def publish(town, who, **fields):
    body = dict({"category": "message", "title": "Hello", "body": "Hello neighbours"}, **fields)
    response = call(town, "POST", "/api/v1/posts", who, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def feed(town, who, **query):
    response = call(town, "GET", "/api/v1/feed", who, params=query)
    assert response.status_code == 200, response.text
    return response.json()


def feed_ids(town, who, **query):
    return [item["id"] for item in feed(town, who, limit=100, **query)["items"]]


# -- 1. every post type round-trips; bad input stores nothing -----------------------------------

TYPED_POSTS = [
    {"category": "message", "title": "Bonjour", "body": "New on Rue Haute"},
    {"category": "classified", "title": "Ladder", "body": "Two weeks", "kind": "lend"},
    {"category": "classified", "title": "Sofa", "body": "Come and take it", "kind": "give"},
    {"category": "pet", "title": "Cat missing", "body": "Grey tabby", "pet_status": "lost",
     "animal": "cat"},
    {"category": "recommendation", "title": "Plumber", "body": "Quick and fair"},
    {"category": "help", "title": "Shopping", "body": "Can someone shop for me Tuesday?"},
    {"category": "event", "title": "Street party", "body": "Bring a dish",
     "starts_at": "2026-12-05T18:00:00+01:00", "place": "Place du Marché"},
    {"category": "safety", "title": "Broken streetlight", "body": "Corner of Rue Basse"},
]


def test_each_post_type_round_trips_and_bad_posts_store_nothing(town):
    created = [publish(town, "paul", **body) for body in TYPED_POSTS]
    before = feed_ids(town, "paul")

    fetched = [call(town, "GET", "/api/v1/posts/" + post["id"], "marie").json()
               for post in created]
    bad_category = call(town, "POST", "/api/v1/posts", "paul",
                        json={"category": "advert", "title": "Buy", "body": "Cheap"})
    oversized = call(town, "POST", "/api/v1/posts", "paul",
                     json={"category": "message", "title": "Long", "body": "x" * 5001})
    missing_kind = call(town, "POST", "/api/v1/posts", "paul",
                        json={"category": "classified", "title": "Bike", "body": "Nice"})

    for body, post in zip(TYPED_POSTS, fetched):
        expected = dict(body)
        if body["category"] == "event":
            expected["starts_at"] = "2026-12-05T17:00:00.000000Z"
        assert {k: post[k] for k in expected} == expected
        assert post["author"]["name"] == "Paul Martin"  # same neighbourhood: full name
    assert fetched[5]["solved"] is False
    assert bad_category.status_code == oversized.status_code == missing_kind.status_code == 400
    assert "category" in bad_category.json()["error"]["details"]
    assert "body" in oversized.json()["error"]["details"]
    assert missing_kind.json()["error"]["details"] == {"kind": "required for a classified post"}
    assert feed_ids(town, "paul") == before

    solved = call(town, "PATCH", "/api/v1/posts/" + created[5]["id"], "paul",
                  json={"solved": True})
    not_author = call(town, "PATCH", "/api/v1/posts/" + created[5]["id"], "marie",
                      json={"solved": True})
    assert solved.status_code == 200 and solved.json()["solved"] is True
    assert not_author.status_code == 403
    deleted = call(town, "DELETE", "/api/v1/posts/" + created[0]["id"], "paul")
    assert deleted.status_code == 200
    assert call(town, "GET", "/api/v1/posts/" + created[0]["id"], "marie").status_code == 404


# -- 2. paging while posts are being added -----------------------------------------------------

def test_paging_through_500_posts_while_100_more_arrive_sees_each_once_newest_first(town):
    home = town.homes["eve"]
    with ThreadPoolExecutor(8) as pool:
        existing = list(pool.map(lambda n: publish(town, "eve", title="Post %d" % n)["id"],
                                 range(500)))
    added = []

    def keep_posting():
        for n in range(100):
            added.append(publish(town, "eve", title="Late %d" % n)["id"])

    writer = threading.Thread(target=keep_posting)
    seen, stamps, cursor, pages = [], [], None, 0
    writer.start()
    try:
        while True:
            query = {"neighbourhood_id": home, "limit": 20}
            if cursor:
                query["cursor"] = cursor
            page = feed(town, "eve", **query)
            pages += 1
            seen += [item["id"] for item in page["items"]]
            stamps += [(item["published_at"], item["id"]) for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
    finally:
        writer.join()

    old = [post_id for post_id in seen if post_id in set(existing)]
    assert len(added) == 100
    assert sorted(old) == sorted(existing)  # every pre-existing post, each exactly once
    assert len(seen) == len(set(seen))
    assert stamps == sorted(stamps, reverse=True)  # strictly newest first across pages
    assert pages >= 25


# -- 3. other neighbourhoods are 404 until followed ---------------------------------------------

def test_posts_of_a_neighbourhood_neither_home_nor_followed_are_not_found(town):
    far = publish(town, "lucas", title="Far away")
    near = publish(town, "chloe", title="Next door")
    unknown = "0" * 32

    answers = [call(town, method, path % far["id"], "marie").status_code
               for method, path in (("GET", "/api/v1/posts/%s"),
                                    ("GET", "/api/v1/posts/%s/comments"),
                                    ("PUT", "/api/v1/posts/%s/reactions/thanks"))]
    comment = call(town, "POST", "/api/v1/posts/%s/comments" % far["id"], "marie",
                   json={"body": "Hi"})
    report = call(town, "POST", "/api/v1/posts/%s/reports" % far["id"], "marie",
                  json={"reason": "other"})
    as_unknown = call(town, "GET", "/api/v1/posts/" + unknown, "marie")
    assert answers == [404, 404, 404] and comment.status_code == report.status_code == 404
    assert call(town, "GET", "/api/v1/posts/" + far["id"], "marie").json() == as_unknown.json()
    assert near["id"] not in feed_ids(town, "marie")
    assert call(town, "GET", "/api/v1/feed", "marie",
                params={"neighbourhood_id": town.homes["chloe"]}).status_code == 404

    follow = call(town, "PUT", "/api/v1/me/follows/" + town.homes["chloe"], "marie")
    try:
        assert follow.status_code == 200, follow.text
        while_following = feed(town, "marie", limit=100)["items"]
        in_b = feed_ids(town, "marie", neighbourhood_id=town.homes["chloe"])
        shown = {item["id"]: item for item in while_following}
        assert near["id"] in shown and near["id"] in in_b and far["id"] not in shown
        # Outside her own neighbourhood an author shows as first name + initial.
        assert shown[near["id"]]["author"]["name"] == "Chloé P."
        thanks = call(town, "PUT", "/api/v1/posts/%s/reactions/thanks" % near["id"], "marie")
        assert thanks.status_code == 200 and thanks.json()["count"] == 1
    finally:
        call(town, "DELETE", "/api/v1/me/follows/" + town.homes["chloe"], "marie")
    assert call(town, "GET", "/api/v1/posts/" + near["id"], "marie").status_code == 404


def test_a_post_to_home_and_followed_neighbourhoods_reaches_both(town):
    follow = call(town, "PUT", "/api/v1/me/follows/" + town.homes["marie"], "chloe")
    try:
        assert follow.status_code == 200, follow.text
        both = publish(town, "chloe", title="Both sides", audience="home_and_followed")
        assert both["neighbourhood_ids"] == [town.homes["chloe"], town.homes["marie"]]
        assert both["id"] in feed_ids(town, "paul")
        assert call(town, "POST", "/api/v1/posts", "chloe", json={
            "category": "message", "title": "t", "body": "b",
            "audience": [town.homes["chloe"], town.homes["lucas"]]}).status_code == 400
    finally:
        call(town, "DELETE", "/api/v1/me/follows/" + town.homes["marie"], "chloe")


# -- 4. thanks under concurrency ----------------------------------------------------------------

def test_fifty_concurrent_thanks_from_fifty_people_count_fifty(town):
    post = publish(town, "marie", title="Thank you all")
    path = "/api/v1/posts/%s/reactions/thanks" % post["id"]
    barrier = threading.Barrier(len(THANKERS))

    def thank(who):
        barrier.wait()
        return call(town, "PUT", path, who).status_code

    with ThreadPoolExecutor(len(THANKERS)) as pool:
        statuses = list(pool.map(thank, THANKERS))
    twice = [call(town, "PUT", path, "t00"), call(town, "PUT", path, "t00")]
    counted = call(town, "GET", "/api/v1/posts/" + post["id"], "paul").json()
    mine = call(town, "GET", "/api/v1/posts/" + post["id"], "t00").json()
    taken_back = call(town, "DELETE", path, "t01")
    again = call(town, "DELETE", path, "t01")

    assert statuses == [200] * 50
    assert [r.json()["count"] for r in twice] == [50, 50]
    assert counted["reactions"] == {"thanks": 50} and counted["my_reactions"] == []
    assert mine["my_reactions"] == ["thanks"]
    assert (taken_back.json()["count"], again.json()["count"]) == (49, 49)


# -- 5. idempotency keys ------------------------------------------------------------------------

def test_twenty_concurrent_replays_of_one_key_make_one_post_and_another_body_is_422(town):
    key = "e2e-" + uuid.uuid4().hex
    body = {"category": "recommendation", "title": "Baker " + key[-6:], "body": "Best bread"}
    barrier = threading.Barrier(20)

    def send(_):
        barrier.wait()
        return call(town, "POST", "/api/v1/posts", "paul", json=body,
                    headers={"Idempotency-Key": key})

    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(send, range(20)))
    other = call(town, "POST", "/api/v1/posts", "paul", json=dict(body, body="Other text"),
                 headers={"Idempotency-Key": key})

    assert {a.status_code for a in answers} == {201}, [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert other.status_code == 422
    titles = [item["title"] for item in feed(town, "paul", limit=100,
                                             category="recommendation")["items"]]
    assert titles.count(body["title"]) == 1


# -- 6. announcements ---------------------------------------------------------------------------

def test_an_announcement_to_two_of_four_neighbourhoods_is_seen_there_only(town):
    targets = [town.homes["marie"], town.homes["chloe"]]
    created = call(town, "POST", "/api/v1/city/announcements", "staff", json={
        "title": "Roadworks", "body": "Rue Haute closed on Monday", "neighbourhood_ids": targets,
        "urgent": True, "language": "fr",
        "translations": {"de": {"title": "Straßenarbeiten",
                                "body": "Rue Haute am Montag gesperrt"}}})
    assert created.status_code == 201, created.text
    announcement = created.json()

    seen_by = {who: announcement["id"] in feed_ids(town, who)
               for who in ("marie", "chloe", "eve", "lucas")}
    german = call(town, "GET", "/api/v1/posts/%s/translation" % announcement["id"], "chloe",
                  params={"lang": "de"})
    english = call(town, "GET", "/api/v1/posts/%s/translation" % announcement["id"], "chloe",
                   params={"lang": "en"})

    assert seen_by == {"marie": True, "chloe": True, "eve": False, "lucas": False}
    assert call(town, "GET", "/api/v1/posts/" + announcement["id"], "lucas").status_code == 404
    shown = call(town, "GET", "/api/v1/posts/" + announcement["id"], "marie").json()
    # The city speaks as the municipality ("Feed" is this town's name), not as a clerk.
    assert shown["urgent"] is True and shown["author"] == {
        "id": town.staff_user_id, "name": "Feed", "city": True}
    assert german.status_code == 200
    assert german.json() == {"post_id": announcement["id"], "lang": "de",
                             "title": "Straßenarbeiten", "body": "Rue Haute am Montag gesperrt",
                             "machine": False, "source": "fr", "original": {
                                 "lang": "fr", "title": "Roadworks",
                                 "body": "Rue Haute closed on Monday"}}
    # This platform has no machine translation provider (tests/e2e/test_translation.py has).
    assert english.status_code == 503
    assert english.json()["error"] == {
        "code": "unavailable",
        "message": "translation unavailable: no machine translation provider is configured"}


def test_an_announcement_to_all_and_a_scheduled_one(town):
    publish_at = datetime.now(timezone.utc) + timedelta(seconds=5)
    scheduled = call(town, "POST", "/api/v1/city/announcements", "staff", json={
        "title": "Later", "body": "Not yet", "neighbourhood_ids": "all",
        "publish_at": publish_at.isoformat()}).json()
    to_all = call(town, "POST", "/api/v1/city/announcements", "staff", json={
        "title": "Everyone", "body": "For all", "neighbourhood_ids": "all"}).json()

    early = {who: scheduled["id"] in feed_ids(town, who) for who in ("eve", "lucas")}
    early_get = call(town, "GET", "/api/v1/posts/" + scheduled["id"], "eve").status_code
    listed = call(town, "GET", "/api/v1/city/announcements", "staff").json()["items"]
    assert all(to_all["id"] in feed_ids(town, who) for who in ("marie", "chloe", "eve", "lucas"))
    assert early == {"eve": False, "lucas": False} and early_get == 404
    assert {item["id"]: item["scheduled"] for item in listed}[scheduled["id"]] is True

    wait_until(lambda: scheduled["id"] in feed_ids(town, "eve"), timeout=20,
                           interval=0.5)
    assert datetime.now(timezone.utc) >= publish_at
    assert call(town, "GET", "/api/v1/posts/" + scheduled["id"], "lucas").status_code == 200
    # It takes its place by publication time: above what was published before it.
    assert feed_ids(town, "eve")[0] == scheduled["id"]


def test_residents_cannot_announce(town):
    response = call(town, "POST", "/api/v1/city/announcements", "marie", json={
        "title": "Me", "body": "Mine", "neighbourhood_ids": "all"})
    assert response.status_code == 403


# -- 7. the city reads only what was shared with it ---------------------------------------------

def test_staff_read_a_resident_post_only_while_it_is_shared(town):
    post = publish(town, "marie", category="safety", title="Pothole",
                   body="Deep pothole on Rue Haute")
    path = "/api/v1/posts/" + post["id"]

    before = call(town, "GET", path, "staff")
    comments_before = call(town, "GET", path + "/comments", "staff")
    shared = call(town, "PUT", path + "/share", "marie")
    someone_else = call(town, "PUT", path + "/share", "paul")
    while_shared = call(town, "GET", path, "staff")
    comments_while_shared = call(town, "GET", path + "/comments", "staff")
    in_city_feed = post["id"] in feed_ids(town, "staff")
    revoked = call(town, "DELETE", path + "/share", "marie")
    after = call(town, "GET", path, "staff")

    assert before.status_code == comments_before.status_code == 404
    assert shared.json() == {"post_id": post["id"], "shared_with_city": True}
    assert someone_else.status_code == 403
    assert while_shared.status_code == 200 and in_city_feed
    # The post is shared; the comments others write under it are not.
    assert comments_while_shared.status_code == 403
    assert while_shared.json()["author"]["name"] == "Marie D."
    assert revoked.json()["shared_with_city"] is False
    assert after.status_code == 404 and post["id"] not in feed_ids(town, "staff")


def test_comments_reports_and_statistics(town):
    post = publish(town, "marie", title="Lost keys", category="help")
    path = "/api/v1/posts/%s" % post["id"]
    for n in range(3):
        made = call(town, "POST", path + "/comments", "paul", json={"body": "Reply %d" % n})
        assert made.status_code == 201, made.text
    first = call(town, "GET", path + "/comments", "marie", params={"limit": 2}).json()
    rest = call(town, "GET", path + "/comments", "marie",
                params={"limit": 2, "cursor": first["next_cursor"]}).json()
    report = call(town, "POST", path + "/reports", "paul", json={"reason": "off_topic"})
    twice = call(town, "POST", path + "/reports", "paul", json={"reason": "other"})
    stats = call(town, "GET", "/api/v1/city/stats/feed", "staff")

    assert [c["body"] for c in first["items"] + rest["items"]] == [
        "Reply 0", "Reply 1", "Reply 2"]
    assert rest["next_cursor"] is None
    assert call(town, "GET", path, "marie").json()["comment_count"] == 3
    assert report.status_code == 201 and twice.status_code == 409
    assert stats.status_code == 200
    counts = stats.json()
    # Under 10 a count is a small cell: null and named, never shown.
    home = counts["neighbourhoods"][town.homes["marie"]]
    assert home["comments"] >= 10 if home["comments"] is not None else \
        "comments" in home["suppressed"]
    help_posts = counts["categories"]["help"]
    assert help_posts >= 10 if help_posts is not None else \
        "help" in counts["categories_suppressed"]
    assert "Lost keys" not in stats.text


def test_an_erased_resident_s_posts_and_thanks_disappear(town):
    post = publish(town, "t49", title="Soon gone")
    target = publish(town, "marie", title="Thanked by a leaver")
    call(town, "PUT", "/api/v1/posts/%s/reactions/thanks" % target["id"], "t49")
    exported = call(town, "GET", "/api/v1/me/export", "t49").json()
    assert [p["id"] for p in exported["feed"]["posts"]] == [post["id"]]

    assert call(town, "DELETE", "/api/v1/me", "t49").status_code == 200

    def gone():
        return call(town, "GET", "/api/v1/posts/" + post["id"], "marie").status_code == 404 \
            and call(town, "GET", "/api/v1/posts/" + target["id"], "marie").json()[
                "reactions"]["thanks"] == 0
    wait_until(gone, EVENT_TIMEOUT)
