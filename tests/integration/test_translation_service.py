"""Translation over a real broker: each post's and comment's language is detected from the feed's
events (the text asked of a stand-in feed; the events carry none) and kept with the text's hash,
an edit is detected again, a deletion forgets it, a post deleted before its event is handled is
no failure; and a translation through RPC reaches a LibreTranslate-compatible server started by
the test with the detected source, once."""
import pytest
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter

from contracts import errors, events, services
from contracts.caller import RESIDENT, Caller
from servicekit.nameko_extensions import rpc
from services.translation import domain
from services.translation.dependencies import Translations
from services.translation.service import TranslationService
from tests.integration.helpers import RPC_ERRORS, domain_error_code
from tests.translation_server import TranslationServer

TEXTS = {
    ("post", "p1"): {"kind": "post", "id": "p1", "title": "Kinderflohmarkt",
                     "body": "Am Sonntag findet im Hof der Grundschule ein Flohmarkt statt.",
                     "language": None},
    ("comment", "c1"): {"kind": "comment", "id": "c1", "title": "",
                        "body": "Thank you, we will bring some toys and books for the kids!",
                        "language": None},
}
READER = Caller(user_id="u1", role=RESIDENT, municipality_id="m1").to_dict()


class StandInFeed:
    """Answers content_text like the feed, from TEXTS."""

    name = services.FEED
    asked_by = []

    @rpc
    def content_text(self, caller, kind, content_id):
        self.asked_by.append(caller["role"])
        found = TEXTS.get((kind, content_id))
        if found is None:
            raise errors.not_found("post not found")
        return dict(found)


@pytest.fixture
def server():
    with TranslationServer() as running:
        yield running


@pytest.fixture
def translation(start_service, server):
    StandInFeed.asked_by = []
    start_service(StandInFeed)
    return start_service(TranslationService, TRANSLATION_PROVIDER="libretranslate",
                         LIBRETRANSLATE_URL=server.url)


def store_of(container):
    return next(d for d in container.extensions if isinstance(d, Translations)).repository


def deliver(container, rabbit_config, handler, event, payload):
    dispatch = event_dispatcher(rabbit_config)
    with entrypoint_waiter(container, handler, timeout=20):
        dispatch(event.source, event.name, dict(payload, event_id="e-" + handler + payload.get(
            "post_id", "") + payload.get("comment_id", ""), schema_version=1))


POST = {"post_id": "p1", "neighbourhood_id": "n1", "author_id": "a1", "municipality_id": "m1",
        "category": "message"}


def test_languages_are_detected_from_the_feeds_events(translation, rabbit_config):
    store = store_of(translation)
    deliver(translation, rabbit_config, "on_post_created", events.POST_CREATED,
            dict(POST, neighbourhood_ids=["n1"], published_at="2026-11-22T04:00:00Z"))
    deliver(translation, rabbit_config, "on_comment_created", events.COMMENT_CREATED, {
        "comment_id": "c1", "post_id": "p1", "neighbourhood_id": "n1", "author_id": "a2",
        "municipality_id": "m1", "post_author_id": "a1"})
    first = store.source("post:p1")

    original = TEXTS[("post", "p1")]
    TEXTS[("post", "p1")] = dict(original, title="Vide-grenier des enfants",
                                 body="Dimanche, vide-grenier dans la cour de l'école primaire.")
    try:
        deliver(translation, rabbit_config, "on_post_updated", events.POST_UPDATED, POST)
        edited = store.source("post:p1")
    finally:
        TEXTS[("post", "p1")] = original

    assert first == (domain.content_hash(TEXTS[("post", "p1")]), "de")
    assert store.source("comment:c1")[1] == "en"
    assert edited[1] == "fr" and edited[0] != first[0]
    assert set(StandInFeed.asked_by) == {"system"}
    deliver(translation, rabbit_config, "on_post_deleted", events.POST_DELETED,
            {"post_id": "p1", "neighbourhood_id": "n1", "municipality_id": "m1"})
    assert store.source("post:p1") is None


def test_a_post_gone_before_its_event_is_no_failure(translation, rabbit_config):
    deliver(translation, rabbit_config, "on_post_created", events.POST_CREATED,
            dict(POST, post_id="gone", neighbourhood_ids=["n1"],
                 published_at="2026-11-22T04:00:00Z"))
    assert store_of(translation).source("post:gone") is None


def test_a_translation_over_rpc_reaches_the_provider_once(translation, cluster_rpc, server):
    content = dict(TEXTS[("post", "p1")])
    first = cluster_rpc.translation.translate(caller=READER, content=content, lang="fr")
    again = cluster_rpc.translation.translate(caller=READER, content=content, lang="fr")
    with pytest.raises(RPC_ERRORS) as refused:
        cluster_rpc.translation.translate(caller=READER, content=content, lang="zz")
    offered = cluster_rpc.translation.supported_languages(caller=READER)

    assert first == again and first["machine"] is True and first["source"] == "de"
    assert first["title"] == "[fr] Kinderflohmarkt"
    assert [(c["source"], c["target"]) for c in server.calls] == [("de", "fr")]
    assert domain_error_code(refused.value) == errors.INVALID
    assert offered == {"languages": list(domain.DEFAULT_LANGUAGES), "machine": True}
