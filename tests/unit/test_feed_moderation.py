"""The feed's side of moderation (issue 5): screening outcomes, held and hidden posts and comments
(only their author reads them, no feed page shows them), edits screened before they are stored;
the repository parts run on every adapter through the shared `store` fixture."""
from dataclasses import replace

import pytest

from contracts import events
from contracts.caller import Caller
from contracts.errors import DomainError
from servicekit.store import repository_for
from services.feed import domain
from services.feed.repository import MongoPosts, SqlitePosts

NOW = "2026-11-22T12:00:00.000000Z"
AUTHOR = Caller(user_id="u1", role="resident", municipality_id="m1", neighbourhood_id="n1")
NEIGHBOUR = Caller(user_id="u2", role="resident", municipality_id="m1", neighbourhood_id="n1")


def post(id, at, moderation=""):
    return domain.Post(
        id=id, municipality_id="m1", neighbourhood_id="n1", audience=("n1",), author_id="u1",
        author_role="resident", category="message", title="T " + id, body="B " + id,
        published_at=at, created_at=at, updated_at=at, week=domain.iso_week(at),
        moderation=moderation)


def test_block_is_refused_with_moderation_s_reasons_and_hold_stores_held():
    with pytest.raises(DomainError) as raised:
        domain.after_screening({"action": "block", "reasons": ["a discount code (\"x10\")"]})
    assert raised.value.code == "unprocessable"
    assert raised.value.details == {"reasons": ["a discount code (\"x10\")"]}
    assert domain.after_screening({"action": "hold", "reasons": []}) == domain.HELD
    assert domain.after_screening({"action": "flag", "reasons": []}) == ""
    assert domain.after_screening({"action": "allow", "reasons": []}) == ""


def test_a_held_post_is_read_by_its_author_only_who_sees_it_pending():
    held = post("p1", NOW, moderation=domain.HELD)
    assert domain.may_read(AUTHOR, held, ["n1"], NOW)
    assert not domain.may_read(NEIGHBOUR, held, ["n1"], NOW)
    assert domain.present_post(held, AUTHOR, {})["moderation"] == "pending"
    assert "moderation" not in domain.present_post(post("p2", NOW), AUTHOR, {})


def test_a_hidden_comment_is_a_placeholder_for_others():
    comment = domain.Comment(id="c1", post_id="p1", municipality_id="m1", neighbourhood_id="n1",
                             author_id="u1", author_role="resident", author_neighbourhood_id="n1",
                             body="text", created_at=NOW, week="2026-W47",
                             moderation=domain.HIDDEN)
    other = domain.present_comment(comment, NEIGHBOUR, {})
    assert other["body"] is None and other["author"] is None and other["moderation"] == "hidden"
    assert domain.present_comment(comment, AUTHOR, {})["body"] == "text"


def test_an_edit_keeps_a_held_or_hidden_post_so_and_otherwise_takes_its_own_screening():
    assert domain.after_edit_screening("", "") == ""
    assert domain.after_edit_screening("", domain.HELD) == domain.HELD
    assert domain.after_edit_screening(domain.HIDDEN, "") == domain.HIDDEN
    assert domain.after_edit_screening(domain.HELD, "") == domain.HELD


def test_moderation_events_map_to_states():
    assert domain.MODERATION_STATES[events.CONTENT_HIDDEN.name] == domain.HIDDEN
    assert domain.MODERATION_STATES[events.CONTENT_RESTORED.name] == ""


@pytest.fixture
def posts(store):
    return repository_for(store, SqlitePosts, MongoPosts)


def test_a_post_stored_held_is_on_no_feed_until_restored(posts):
    posts.add_post(post("p1", "2026-11-22T11:00:00.000000Z"))
    posts.add_post(post("p2", "2026-11-22T11:01:00.000000Z", moderation=domain.HELD))
    assert [p.id for p in posts.feed_page(["n1"], NOW)] == ["p1"]
    assert posts.get_post("p2").moderation == domain.HELD
    restored = posts.set_post_moderation("p2", "")
    assert restored.moderation == ""
    assert [p.id for p in posts.feed_page(["n1"], NOW)] == ["p2", "p1"]
    posts.set_post_moderation("p1", domain.HIDDEN)
    assert [p.id for p in posts.feed_page(["n1"], NOW)] == ["p2"]
    assert posts.set_post_moderation("nope", domain.HIDDEN) is None


def test_comment_moderation_state_is_kept(posts):
    posts.add_post(post("p1", "2026-11-22T11:00:00.000000Z"))
    comment = domain.Comment(id="c1", post_id="p1", municipality_id="m1", neighbourhood_id="n1",
                             author_id="u2", author_role="resident", author_neighbourhood_id="n1",
                             body="hi", created_at=NOW, week="2026-W47")
    posts.add_comment(replace(comment, moderation=domain.HELD))
    assert posts.get_comment("c1").moderation == domain.HELD
    posts.set_comment_moderation("c1", "")
    assert posts.comments_page("p1")[0].moderation == ""


def test_an_edit_stored_held_leaves_every_feed_in_the_same_write(posts):
    posts.add_post(post("p1", "2026-11-22T11:00:00.000000Z"))
    edited = replace(posts.get_post("p1"), body="Candles for sale", moderation=domain.HELD)
    stored = posts.replace_post(edited)
    assert (stored.body, stored.moderation) == ("Candles for sale", domain.HELD)
    assert posts.feed_page(["n1"], NOW) == []
    assert posts.set_post_moderation("p1", "").moderation == ""
    assert [p.id for p in posts.feed_page(["n1"], NOW)] == ["p1"]
    posts.replace_post(replace(posts.get_post("p1"), body="Fixed"))
    assert [p.body for p in posts.feed_page(["n1"], NOW)] == ["Fixed"]
