"""The feed repository contract, run on every adapter (SQLite, mongomock, real MongoDB when
MONGO_URI is set) through the shared `store` fixture."""
import threading
from dataclasses import replace

import pytest

from servicekit.store import repository_for
from services.feed import domain
from services.feed.repository import MongoPosts, SqlitePosts

NOW = "2026-11-22T12:00:00.000000Z"


@pytest.fixture
def posts(store):
    return repository_for(store, SqlitePosts, MongoPosts)


def post(id, at, audience=("n1",), category="message", author="u1", municipality="m1",
         shared=False, home=None):
    return domain.Post(
        id=id, municipality_id=municipality, neighbourhood_id=home or audience[0],
        audience=tuple(audience), author_id=author, author_role="resident", category=category,
        title="Title " + id, body="Body " + id, details={"kind": "give"}
        if category == "classified" else {}, published_at=at, created_at=at, updated_at=at,
        week=domain.iso_week(at), shared_with_city=shared)


def at(minute, second=0):
    return "2026-11-22T10:%02d:%02d.000000Z" % (minute, second)


def comment(id, post_id, author="u2", when=None):
    when = when or at(30)
    return domain.Comment(id=id, post_id=post_id, municipality_id="m1", neighbourhood_id="n1",
                          author_id=author, author_role="resident", author_neighbourhood_id="n1",
                          body="Thanks " + id, created_at=when, week=domain.iso_week(when))


def ids(found):
    return [p.id for p in found]


def test_a_post_round_trips_with_its_details(posts):
    stored = post("p1", at(1), audience=("n1", "n2"), category="classified")
    posts.add_post(stored)

    assert posts.get_post("p1") == stored
    assert posts.get_post("nope") is None


def test_the_feed_is_newest_first_and_pages_by_range(posts):
    for minute in range(10):
        posts.add_post(post("p%d" % minute, at(minute)))

    first = posts.feed_page(["n1"], NOW, limit=4)
    second = posts.feed_page(["n1"], NOW, before=(first[-1].published_at, first[-1].id), limit=4)
    third = posts.feed_page(["n1"], NOW, before=(second[-1].published_at, second[-1].id),
                            limit=4)

    assert ids(first) == ["p9", "p8", "p7", "p6"]
    assert ids(second) == ["p5", "p4", "p3", "p2"]
    assert ids(third) == ["p1", "p0"]


def test_posts_added_in_bulk_page_like_the_others(posts):
    posts.add_posts([post("b%d" % n, at(n), audience=("n1", "n2")) for n in range(5)])
    posts.add_posts([])

    assert ids(posts.feed_page(["n2"], NOW, limit=3)) == ["b4", "b3", "b2"]
    assert ids(posts.feed_page(["n1", "n2"], NOW, before=(at(2), "b2"))) == ["b1", "b0"]


def test_posts_at_the_same_instant_are_ordered_by_id_and_none_is_lost(posts):
    for name in ("a", "c", "b", "d"):
        posts.add_post(post(name, at(5)))

    first = posts.feed_page(["n1"], NOW, limit=2)
    rest = posts.feed_page(["n1"], NOW, before=(first[-1].published_at, first[-1].id), limit=5)

    assert ids(first) + ids(rest) == ["d", "c", "b", "a"]


def test_a_post_in_two_visible_neighbourhoods_comes_once(posts):
    posts.add_post(post("both", at(3), audience=("n1", "n2")))
    posts.add_post(post("home", at(2), audience=("n1",)))
    posts.add_post(post("next", at(4), audience=("n2",)))
    posts.add_post(post("elsewhere", at(5), audience=("n3",)))

    assert ids(posts.feed_page(["n1", "n2"], NOW, limit=10)) == ["next", "both", "home"]
    assert ids(posts.feed_page(["n2", "n1"], NOW, limit=2)) == ["next", "both"]
    assert ids(posts.feed_page(["n1"], NOW, limit=10)) == ["both", "home"]


def test_category_filter_and_publication_time(posts):
    posts.add_post(post("m", at(1)))
    posts.add_post(post("c", at(2), category="classified"))
    posts.add_post(post("later", "2026-11-22T13:00:00.000000Z"))

    assert ids(posts.feed_page(["n1"], NOW, category="classified")) == ["c"]
    # Published after `now`: not in the feed yet.
    assert ids(posts.feed_page(["n1"], NOW)) == ["c", "m"]
    assert ids(posts.feed_page(["n1"], "2026-11-22T14:00:00.000000Z"))[0] == "later"


def test_the_city_reads_shared_posts_and_announcements_only(posts):
    posts.add_post(post("private", at(1)))
    posts.add_post(post("shared", at(2), shared=True))
    posts.add_post(replace(post("news", at(3), author="staff1"), category="announcement",
                           neighbourhood_id=""))

    assert ids(posts.feed_page(["n1"], NOW, city_only=True)) == ["news", "shared"]
    posts.set_shared("private", True)
    posts.set_shared("shared", False)
    assert ids(posts.feed_page(["n1"], NOW, city_only=True)) == ["news", "private"]
    assert posts.get_post("private").shared_with_city is True


def test_an_edit_keeps_counters_and_sharing(posts):
    posts.add_post(post("p1", at(1), shared=True))
    posts.add_reaction(posts.get_post("p1"), "u9", "thanks", at(2), "2026-W47")

    posts.replace_post(replace(posts.get_post("p1"), title="New title", thanks_count=0,
                               shared_with_city=False))

    stored = posts.get_post("p1")
    assert (stored.title, stored.thanks_count, stored.shared_with_city) == ("New title", 1, True)


def test_comments_count_and_page_oldest_first(posts):
    posts.add_post(post("p1", at(1)))
    for n in range(5):
        assert posts.add_comment(comment("c%d" % n, "p1", when=at(10 + n)))

    first = posts.comments_page("p1", limit=3)
    rest = posts.comments_page("p1", after=(first[-1].created_at, first[-1].id), limit=3)

    assert [c.id for c in first + rest] == ["c0", "c1", "c2", "c3", "c4"]
    assert posts.get_post("p1").comment_count == 5
    assert posts.add_comment(comment("orphan", "gone")) is False
    assert posts.get_comment("orphan") is None


def test_one_thanks_per_user_and_exact_counts_under_concurrency(posts):
    posts.add_post(post("p1", at(1)))
    target = posts.get_post("p1")
    results = []

    def thank(user):
        results.append(posts.add_reaction(target, user, "thanks", at(2), "2026-W47"))

    threads = [threading.Thread(target=thank, args=("u%d" % (n % 25),)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results.count(True) == 25
    assert posts.get_post("p1").thanks_count == 25
    assert posts.remove_reaction("p1", "u0", "thanks") is True
    assert posts.remove_reaction("p1", "u0", "thanks") is False
    assert posts.get_post("p1").thanks_count == 24
    assert posts.reactions_of("u1", ["p1", "other"]) == {"p1": {"thanks"}}


def test_one_report_per_reporter_and_content(posts):
    report = {"content_kind": "post", "content_id": "p1", "post_id": "p1", "reporter_id": "u2",
              "reason": "offensive", "reported_at": at(3)}

    assert posts.add_report(report) is True
    assert posts.add_report(dict(report, reason="other")) is False
    assert posts.reports_by("u2") == [report]


def test_deleting_a_post_takes_what_hangs_on_it(posts):
    posts.add_post(post("p1", at(1)))
    posts.add_comment(comment("c1", "p1"))
    posts.add_reaction(posts.get_post("p1"), "u2", "thanks", at(2), "2026-W47")

    assert posts.delete_post("p1").id == "p1"
    assert posts.get_post("p1") is None and posts.get_comment("c1") is None
    assert posts.feed_page(["n1"], NOW) == [] and posts.reactions_by("u2") == []


def test_authors_are_kept_and_updated(posts):
    posts.upsert_author(domain.Author("u1", "m1", "n1", "resident", "Marie Dupont"))
    posts.update_author("u1", display_name="Marie Curie")

    assert posts.authors(["u1", "u2"]) == {
        "u1": domain.Author("u1", "m1", "n1", "resident", "Marie Curie")}


def test_municipality_names_are_kept(posts):
    posts.record_municipality("m1", "Testville")
    posts.record_municipality("m1", "Testville-sur-Mer")

    assert posts.municipality_names(["m1", "m2"]) == {"m1": "Testville-sur-Mer"}


def test_erasure_removes_the_users_content_and_fixes_counts(posts):
    posts.add_post(post("mine", at(1), author="gone"))
    posts.add_post(post("theirs", at(2), author="u1"))
    posts.add_comment(comment("c1", "theirs", author="gone"))
    posts.add_comment(comment("c2", "theirs", author="u3"))
    posts.add_comment(comment("c3", "mine", author="u3"))
    posts.add_reaction(posts.get_post("theirs"), "gone", "thanks", at(3), "2026-W47")
    posts.upsert_author(domain.Author("gone", "m1", "n1", "resident", "Gone Person"))

    erased = posts.erase_user("gone")
    again = posts.erase_user("gone")

    assert [p.id for p in erased] == ["mine"] and again == []
    theirs = posts.get_post("theirs")
    assert (theirs.comment_count, theirs.thanks_count) == (1, 0)
    assert posts.get_comment("c3") is None and posts.get_post("mine") is None
    assert posts.authors(["gone"]) == {}
    assert posts.posts_by("gone") == [] and posts.comments_by("gone") == []


def test_statistics_are_counts_per_neighbourhood_category_and_week(posts):
    posts.add_post(post("p1", at(1), audience=("n1", "n2")))
    posts.add_post(post("p2", at(2), category="classified"))
    posts.add_post(post("other", at(2), municipality="m2"))
    posts.add_comment(comment("c1", "p1"))
    posts.add_reaction(posts.get_post("p2"), "u5", "thanks", at(3), "2026-W47")

    stats = posts.statistics("m1", NOW)

    assert stats["neighbourhoods"] == {"n1": {"posts": 2, "comments": 1, "reactions": 1},
                                       "n2": {"posts": 1, "comments": 0, "reactions": 0}}
    assert stats["categories"] == {"message": 1, "classified": 1}
    assert stats["weeks"] == {"2026-W47": {"posts": 2, "comments": 1, "reactions": 1}}


def test_announcements_list_newest_first_scheduled_included(posts):
    for n, when in enumerate((at(1), "2026-11-30T10:00:00.000000Z", at(2))):
        posts.add_post(replace(post("a%d" % n, when, author="s1"), category="announcement",
                               neighbourhood_id=""))
    posts.add_post(post("resident", at(3)))

    found = posts.announcements("m1", limit=2)
    rest = posts.announcements("m1", before=(found[-1].published_at, found[-1].id))

    assert ids(found) + ids(rest) == ["a1", "a2", "a0"]
