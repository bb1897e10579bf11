"""Feed over a real broker: authors' names from identity's events, visibility from the
neighbourhood service (a stand-in here), thanks counted exactly under concurrent calls, one post
for concurrent replays of an idempotency key, erasure announced, and a clear error while the
neighbourhood service is away."""
import uuid

import eventlet
import pytest
from nameko.events import event_handler
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter

from contracts import errors, events, services
from contracts.caller import RESIDENT, Caller
from servicekit.nameko_extensions import rpc
from services.feed.service import FeedService
from services.moderation.service import ModerationService
from tests.integration.helpers import RPC_ERRORS, RPC_TIMEOUT, domain_error_code

MUNICIPALITY = "m-feed"
# user id -> neighbourhoods the stand-in neighbourhood service says they may see
VISIBLE = {"marie": ["n1"], "paul": ["n2", "n1"]}
VISIBLE.update({"t%02d" % n: ["n1"] for n in range(30)})


def resident(user_id, home=None):
    home = home or VISIBLE[user_id][0]
    return Caller(user_id=user_id, role=RESIDENT, municipality_id=MUNICIPALITY,
                  neighbourhood_id=home, household_id="h-" + user_id).to_dict()


class StandInNeighbourhood:
    """Answers visibility like the neighbourhood service, from VISIBLE."""

    name = services.NEIGHBOURHOOD

    @rpc
    def visible_neighbourhood_ids(self, caller):
        return VISIBLE.get(caller["user_id"], [])


class FeedEvents:
    name = "test_feed_listener"
    received = []

    @event_handler(services.FEED, events.POST_CREATED.name)
    def on_created(self, payload):
        self.received.append((events.POST_CREATED.name, payload))

    @event_handler(services.FEED, events.POST_DELETED.name)
    def on_deleted(self, payload):
        self.received.append((events.POST_DELETED.name, payload))


@pytest.fixture
def listener(start_service):
    FeedEvents.received = []
    return start_service(FeedEvents, max_workers=1)


@pytest.fixture
def container(start_service, listener):
    return start_service(FeedService, max_workers=40)


@pytest.fixture
def feed(container, cluster_rpc, start_service):
    start_service(StandInNeighbourhood, max_workers=40)
    start_service(ModerationService)  # screens every post before it is stored (issue 5)
    return cluster_rpc.feed


@pytest.fixture
def dispatch(rabbit_config):
    return event_dispatcher(rabbit_config)


def deliver(container, dispatch, event, handler, **fields):
    payload = event.payload(uuid.uuid4().hex, **fields)
    with entrypoint_waiter(container, handler, timeout=RPC_TIMEOUT):
        dispatch(event.source, event.name, payload)
    return payload


def register(container, dispatch, user_id, display_name):
    deliver(container, dispatch, events.USER_REGISTERED, "on_user_registered", user_id=user_id,
            municipality_id=MUNICIPALITY, household_id="h-" + user_id,
            neighbourhood_id=VISIBLE[user_id][0], role=RESIDENT, display_name=display_name,
            street="Rue Haute")


def new_post(feed, user_id, **fields):
    return feed.create_post(caller=resident(user_id), post=dict(
        {"category": "message", "title": "Hello", "body": "Hi"}, **fields))


def test_authors_are_named_from_identity_s_events(feed, container, dispatch):
    register(container, dispatch, "marie", "Marie Dupont")
    post = new_post(feed, "marie")

    from_outside = feed.get_post(caller=resident("paul"), post_id=post["id"])
    deliver(container, dispatch, events.USER_UPDATED, "on_user_updated", user_id="marie",
            municipality_id=MUNICIPALITY, changes={"display_name": "Marion Dupont"})
    renamed = feed.get_post(caller=resident("paul"), post_id=post["id"])

    assert post["author"]["name"] == "Marie Dupont"
    assert from_outside["author"]["name"] == "Marie D."
    assert renamed["author"]["name"] == "Marion D."
    created = [p for name, p in FeedEvents.received if name == events.POST_CREATED.name]
    assert [(p["post_id"], p["neighbourhood_ids"]) for p in created] == [(post["id"], ["n1"])]


def test_thirty_concurrent_thanks_count_thirty(feed):
    post = new_post(feed, "marie")

    # Thirty calls in flight at once: the service runs them on concurrent workers.
    pending = [feed.add_reaction.call_async(caller=resident("t%02d" % n), post_id=post["id"],
                                            kind="thanks") for n in range(30)]
    answers = [reply.result() for reply in pending]
    again = feed.add_reaction(caller=resident("t00"), post_id=post["id"], kind="thanks")

    assert max(a["count"] for a in answers) == 30
    assert again["count"] == 30
    assert feed.get_post(caller=resident("marie"), post_id=post["id"])["reactions"] == {
        "thanks": 30}


def test_concurrent_replays_of_one_key_make_one_post(feed):
    body = {"category": "safety", "title": "Ice", "body": "Slippery pavement"}

    pending = [feed.create_post.call_async(caller=resident("marie"), post=body,
                                           idempotency_key="key-1") for _ in range(10)]
    ids = {reply.result()["id"] for reply in pending}
    with pytest.raises(RPC_ERRORS) as refused:
        feed.create_post(caller=resident("marie"), post=dict(body, body="Other"),
                         idempotency_key="key-1")

    assert len(ids) == 1
    assert domain_error_code(refused.value) == errors.UNPROCESSABLE
    page = feed.feed_page(caller=resident("paul"), category="safety")
    assert [item["id"] for item in page["items"]] == list(ids)


def test_erasure_deletes_the_person_s_posts_and_says_so(feed, container, dispatch):
    register(container, dispatch, "marie", "Marie Dupont")
    post = new_post(feed, "marie")

    deliver(container, dispatch, events.USER_ERASED, "on_user_erased", user_id="marie",
            municipality_id=MUNICIPALITY)

    with pytest.raises(RPC_ERRORS) as gone:
        feed.get_post(caller=resident("paul"), post_id=post["id"])
    assert domain_error_code(gone.value) == errors.NOT_FOUND
    deadline = eventlet.Timeout(RPC_TIMEOUT)
    try:
        while events.POST_DELETED.name not in [name for name, _ in FeedEvents.received]:
            eventlet.sleep(0.05)
    finally:
        deadline.cancel()


def test_without_the_neighbourhood_service_the_feed_says_unavailable(container, cluster_rpc):
    with pytest.raises(RPC_ERRORS) as refused:
        cluster_rpc.feed.feed_page(caller=resident("marie"))

    assert domain_error_code(refused.value) == errors.UNAVAILABLE
