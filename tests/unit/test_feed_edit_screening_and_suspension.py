"""An edit of a post goes through moderation before anything is stored, and a suspended author
edits nothing: the feed service with its store recording what each write leaves on the feed, and
moderation scripted. (Through the gateway: tests/security/test_moderation_and_suspension_side_doors.py;
a single feed process cannot show the moment between two writes there, this store can.)"""
from unittest.mock import Mock

import pytest
from nameko.testing.services import worker_factory

from contracts import errors, rpc
from contracts.caller import SYSTEM_CALLER, Caller
from contracts.errors import DomainError
from servicekit import suspension
from servicekit.store import SqliteStore
from services.feed import domain
from services.feed.repository import SqlitePosts
from services.feed.service import FeedService

AT = "2026-01-10T11:00:00.000000Z"
LATER = "2099-01-01T00:00:00.000000Z"
UNTIL = "2026-01-20T11:00:00.000000Z"
AUTHOR = Caller(user_id="u1", role="resident", municipality_id="m1", neighbourhood_id="n1")
HOLD = {"action": "hold", "reasons": ["selling"], "details": [], "score": 0.9}
BLOCK = {"action": "block", "reasons": ["a discount code"], "details": [], "score": 1.0}
ALLOW = {"action": "allow", "reasons": [], "details": [], "score": 0.0}


class RecordingPosts(SqlitePosts):
    """After every write of a post, what a neighbour's feed shows: bodies in the feed."""

    def __init__(self, store):
        super().__init__(store)
        self.seen_on_feed = []

    def _record(self, result):
        self.seen_on_feed.append([p.body for p in self.feed_page(["n1"], LATER)])
        return result

    def replace_post(self, post):
        return self._record(super().replace_post(post))

    def set_post_moderation(self, post_id, state):
        return self._record(super().set_post_moderation(post_id, state))


def moderation_answering(screening, suspended_until=None):
    def call(method, **kwargs):
        if method == rpc.moderation.SUSPENSION:
            assert kwargs["caller"] == SYSTEM_CALLER.to_dict()
            return {"user_id": kwargs["user_id"], "suspended_until": suspended_until}
        if method == rpc.moderation.SCREEN:
            return screening
        raise AssertionError(method)
    return Mock(side_effect=call)


@pytest.fixture
def feed(tmp_path):
    posts = RecordingPosts(SqliteStore(str(tmp_path / "feed.sqlite")))
    posts.add_post(domain.Post(
        id="p1", municipality_id="m1", neighbourhood_id="n1", audience=("n1",), author_id="u1",
        author_role="resident", category="message", title="Seeds", body="Spare seedlings",
        published_at=AT, created_at=AT, updated_at=AT, week=domain.iso_week(AT)))
    service = worker_factory(FeedService, posts=posts)
    service.neighbourhoods.call = Mock(return_value=["n1"])
    return service


def refused(call):
    with pytest.raises(DomainError) as raised:
        call()
    return raised.value


def test_an_edit_moderation_holds_is_never_on_a_feed_not_even_between_two_writes(feed):
    feed.moderation.call = moderation_answering(HOLD)
    edited = feed.update_post(AUTHOR.to_dict(), "p1", {"body": "Candles for sale, DM me"})
    assert edited["moderation"] == "pending"
    assert feed.posts.seen_on_feed and all(
        "Candles for sale, DM me" not in bodies for bodies in feed.posts.seen_on_feed)
    assert feed.posts.get_post("p1").moderation == domain.HELD


def test_an_edit_moderation_blocks_changes_nothing(feed):
    feed.moderation.call = moderation_answering(BLOCK)
    error = refused(lambda: feed.update_post(AUTHOR.to_dict(), "p1", {"body": "SPRING20"}))
    assert error.code == errors.UNPROCESSABLE and error.details == {
        "reasons": ["a discount code"]}
    assert feed.posts.seen_on_feed == []
    assert feed.posts.get_post("p1").body == "Spare seedlings"


def test_a_suspended_author_edits_nothing_and_is_told_until_when(feed):
    feed.moderation.call = moderation_answering(ALLOW, suspended_until=UNTIL)
    error = refused(lambda: feed.update_post(AUTHOR.to_dict(), "p1", {"body": "Changed"}))
    assert error.code == errors.FORBIDDEN and error.details == {"suspended_until": UNTIL}
    assert UNTIL in error.message
    assert feed.posts.get_post("p1").body == "Spare seedlings"
    methods = [c.args[0] for c in feed.moderation.call.call_args_list]
    assert rpc.moderation.SCREEN not in methods  # nothing screened (or recorded) for nothing


def test_moderation_not_answering_whether_the_author_is_suspended_changes_nothing(feed):
    feed.moderation.call = Mock(side_effect=DomainError(errors.TIMEOUT, "no answer"))
    error = refused(lambda: feed.update_post(AUTHOR.to_dict(), "p1", {"body": "Changed"}))
    assert error.code == errors.UNAVAILABLE
    assert feed.posts.get_post("p1").body == "Spare seedlings"


def test_the_platform_itself_and_callers_without_an_account_are_not_asked_about():
    moderation = Mock()
    suspension.require_not_suspended(moderation, SYSTEM_CALLER)
    suspension.require_not_suspended(moderation, Caller(user_id=None, role=None))
    assert moderation.call.call_count == 0
    moderation.call.return_value = {"user_id": "u1", "suspended_until": None}
    suspension.require_not_suspended(moderation, AUTHOR)
    assert moderation.call.call_args.kwargs["user_id"] == "u1"
