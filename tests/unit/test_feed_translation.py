"""The feed's side of translation, with the service's store and its neighbours scripted: the
author's own text is served without asking the translation service; otherwise the text goes
there only for a reader who may read it; a held or hidden comment, whose text others do not
see, is not translated for them; content_text is for the platform's own services."""
from unittest.mock import Mock

import pytest
from nameko.testing.services import worker_factory

from contracts import errors, rpc
from contracts.caller import SYSTEM_CALLER, Caller
from contracts.errors import DomainError
from servicekit.store import SqliteStore
from services.feed import domain
from services.feed.repository import SqlitePosts
from services.feed.service import FeedService

AT = "2026-01-10T11:00:00.000000Z"
AUTHOR = Caller(user_id="u1", role="resident", municipality_id="m1", neighbourhood_id="n1")
NEIGHBOUR = Caller(user_id="u2", role="resident", municipality_id="m1", neighbourhood_id="n1")
STRANGER = Caller(user_id="u3", role="resident", municipality_id="m1", neighbourhood_id="n9")


@pytest.fixture
def feed(tmp_path):
    posts = SqlitePosts(SqliteStore(str(tmp_path / "feed.sqlite")))
    posts.add_post(domain.Post(
        id="p1", municipality_id="m1", neighbourhood_id="n1", audience=("n1",), author_id="u1",
        author_role="resident", category="message", title="Fête", body="Samedi dans la cour",
        language="fr", translations={}, published_at=AT, created_at=AT, updated_at=AT,
        week=domain.iso_week(AT)))
    for comment_id, moderation in (("c1", ""), ("c2", domain.HIDDEN)):
        posts.add_comment(domain.Comment(
            id=comment_id, post_id="p1", municipality_id="m1", neighbourhood_id="n1",
            author_id="u1", author_role="resident", author_neighbourhood_id="n1",
            body="Texte " + comment_id, created_at=AT, week="2026-W02", moderation=moderation))
    service = worker_factory(FeedService, posts=posts)
    service.neighbourhoods.call = Mock(
        side_effect=lambda method, **kw: ["n1"] if kw["caller"]["neighbourhood_id"] == "n1"
        else ["n9"])
    service.translation.call = Mock(return_value={"machine": True})
    return service


def refused(call):
    with pytest.raises(DomainError) as raised:
        call()
    return raised.value.code


def test_the_original_language_is_served_by_the_feed_and_others_asked(feed):
    own = feed.get_translation(NEIGHBOUR.to_dict(), "p1", "fr")
    machine = feed.get_translation(NEIGHBOUR.to_dict(), "p1", "de")

    assert own["machine"] is False and own["body"] == "Samedi dans la cour"
    assert machine == {"machine": True}
    method, kwargs = feed.translation.call.call_args[0][0], feed.translation.call.call_args[1]
    assert method == rpc.translation.TRANSLATE and kwargs["lang"] == "de"
    # The author goes along so that translation can forget the cached text on erasure.
    assert kwargs["content"] == {"kind": "post", "id": "p1", "title": "Fête",
                                 "body": "Samedi dans la cour", "language": "fr",
                                 "author_id": "u1"}
    assert kwargs["caller"]["user_id"] == "u2"
    assert feed.translation.call.call_count == 1


def test_only_readers_get_a_translation(feed):
    assert refused(lambda: feed.get_translation(STRANGER.to_dict(), "p1", "de")) \
        == errors.NOT_FOUND
    assert refused(lambda: feed.get_comment_translation(STRANGER.to_dict(), "p1", "c1", "de")) \
        == errors.NOT_FOUND
    assert feed.translation.call.call_count == 0


def test_a_hidden_comment_is_translated_for_its_author_only(feed):
    shown = feed.get_comment_translation(NEIGHBOUR.to_dict(), "p1", "c1", "de")
    hidden = refused(lambda: feed.get_comment_translation(NEIGHBOUR.to_dict(), "p1", "c2", "de"))
    own = feed.get_comment_translation(AUTHOR.to_dict(), "p1", "c2", "de")
    elsewhere = refused(lambda: feed.get_comment_translation(NEIGHBOUR.to_dict(), "p9", "c1",
                                                             "de"))

    assert shown == own == {"machine": True} and hidden == errors.NOT_FOUND
    assert elsewhere == errors.NOT_FOUND
    sent = [call[1]["content"]["id"] for call in feed.translation.call.call_args_list]
    assert sent == ["c1", "c2"]


def test_content_text_is_for_the_platform(feed):
    assert feed.content_text(SYSTEM_CALLER.to_dict(), "comment", "c1")["body"] == "Texte c1"
    assert feed.content_text(SYSTEM_CALLER.to_dict(), "post", "p1")["title"] == "Fête"
    assert refused(lambda: feed.content_text(NEIGHBOUR.to_dict(), "post", "p1")) \
        == errors.FORBIDDEN
    assert refused(lambda: feed.content_text(SYSTEM_CALLER.to_dict(), "post", "nope")) \
        == errors.NOT_FOUND
    assert refused(lambda: feed.content_text(SYSTEM_CALLER.to_dict(), "chat", "x")) \
        == errors.INVALID
