"""Moderation with the feed over a real broker (the neighbourhood service is a stand-in answering
visibility): screening before publication (block refused with reasons and nothing stored; a held
post visible to its author only until approved), auto-hide after reports from distinct
households, decisions reaching the feed, suspensions refusing posts until their end, one appeal,
the audit, municipalities kept apart, and the feed refusing to publish while moderation is down."""
import pytest
from nameko.testing.services import entrypoint_waiter

from contracts import errors, services
from contracts.caller import MODERATOR, RESIDENT, Caller
from servicekit.nameko_extensions import rpc
from services.feed.service import FeedService
from services.moderation.service import ModerationService
from tests.integration.helpers import RPC_ERRORS, RPC_TIMEOUT, domain_error_code

MUNICIPALITY = "m-mod"
VISIBLE = {"ann": ["n1"], "bob": ["n1"], "cat": ["n1"], "dan": ["n1"], "eve": ["n1"]}
AD = "Use promo code SPRING20 for 20% off at our webshop www.best-shop.com, order now"
HOLD = "Handmade candles for sale, DM for price"


def resident(user_id, household=None):
    return Caller(user_id=user_id, role=RESIDENT, municipality_id=MUNICIPALITY,
                  neighbourhood_id="n1", household_id=household or "h-" + user_id).to_dict()


def moderator(user_id="mod1", municipality=MUNICIPALITY):
    return Caller(user_id=user_id, role=MODERATOR, municipality_id=municipality).to_dict()


class StandInNeighbourhood:
    name = services.NEIGHBOURHOOD

    @rpc
    def visible_neighbourhood_ids(self, caller):
        return VISIBLE.get(caller["user_id"], [])


@pytest.fixture
def feed_container(start_service):
    start_service(StandInNeighbourhood)
    return start_service(FeedService)


@pytest.fixture
def moderation_container(start_service):
    return start_service(ModerationService)


@pytest.fixture
def cluster(feed_container, moderation_container, cluster_rpc):
    return cluster_rpc


def post(cluster, user, body, title="Hello"):
    return cluster.feed.create_post(caller=resident(user), post={
        "category": "message", "title": title, "body": body})


def refused(call, **kwargs):
    with pytest.raises(RPC_ERRORS) as raised:
        call(**kwargs)
    return raised.value


def feed_ids(cluster, user):
    return [p["id"] for p in cluster.feed.feed_page(caller=resident(user))["items"]]


def test_a_blocked_post_is_refused_with_reasons_and_nothing_is_stored(cluster):
    error = refused(cluster.feed.create_post, caller=resident("ann"), post={
        "category": "message", "title": "Deal", "body": AD})
    assert domain_error_code(error) == errors.UNPROCESSABLE
    assert any("discount code" in r for r in error.details["reasons"])
    assert feed_ids(cluster, "ann") == [] and feed_ids(cluster, "bob") == []
    audit = cluster.moderation.audit_log(caller=moderator())["items"]
    assert audit[0]["action"] == "screening:block" and "discount code" in audit[0]["reason"]


def test_a_held_post_is_visible_to_its_author_only_until_approved(cluster, feed_container):
    held = post(cluster, "ann", HOLD)
    assert held["moderation"] == "pending"
    assert domain_error_code(refused(cluster.feed.get_post, caller=resident("bob"),
                                     post_id=held["id"])) == errors.NOT_FOUND
    assert held["id"] not in feed_ids(cluster, "bob")
    queue = cluster.moderation.list_queue(caller=moderator(), source="held")["items"]
    assert [c["content_id"] for c in queue] == [held["id"]]
    assert queue[0]["text"].endswith(HOLD)
    with entrypoint_waiter(feed_container, "notify_content_restored", timeout=RPC_TIMEOUT):
        cluster.moderation.decide(caller=moderator(), case_id=queue[0]["id"],
                                  decision={"decision": "approve", "reason": "a neighbour"})
    assert held["id"] in feed_ids(cluster, "bob")
    assert "moderation" not in cluster.feed.get_post(caller=resident("ann"), post_id=held["id"])


def test_three_households_hide_a_post_two_reports_from_one_do_not(cluster, feed_container,
                                                                   moderation_container):
    target = post(cluster, "ann", "Anyone seen my keys?")

    def report(user, household):
        with entrypoint_waiter(moderation_container, "on_content_reported",
                               timeout=RPC_TIMEOUT):
            cluster.feed.report_content(caller=resident(user, household), post_id=target["id"],
                                        reason="offensive")

    report("bob", "h-shared")
    report("cat", "h-shared")
    assert target["id"] in feed_ids(cluster, "dan")
    report("dan", "h-dan")
    with entrypoint_waiter(feed_container, "notify_content_hidden", timeout=RPC_TIMEOUT):
        report("eve", "h-eve")
    assert target["id"] not in feed_ids(cluster, "bob")
    case = cluster.moderation.get_case(caller=moderator(), case_id="post_" + target["id"])
    assert case["content_state"] == "hidden" and case["report_count"] == 3
    assert "auto_hidden" in case["sources"]


def test_removal_notifies_suspension_refuses_posts_and_one_appeal(cluster, feed_container):
    held = post(cluster, "ann", HOLD)
    case_id = "post_" + held["id"]
    with entrypoint_waiter(feed_container, "notify_user_suspended", timeout=RPC_TIMEOUT):
        cluster.moderation.decide(caller=moderator(), case_id=case_id, decision={
            "decision": "suspend", "reason": "advertising again", "suspension_days": 2})
    error = refused(cluster.feed.create_post, caller=resident("ann"),
                    post={"category": "message", "title": "Hi", "body": "Hello"})
    assert domain_error_code(error) == errors.FORBIDDEN
    assert "suspended_until" in error.details
    notes = cluster.feed.list_notifications(caller=resident("ann"))["items"]
    assert any("advertising again" in str(n) for n in notes)
    cluster.moderation.appeal(caller=resident("ann"), case_id=case_id,
                              appeal={"reason": "they were a gift"})
    assert domain_error_code(refused(cluster.moderation.appeal, caller=resident("ann"),
                                     case_id=case_id, appeal={"reason": "again"})) \
        == errors.CONFLICT
    assert domain_error_code(refused(
        cluster.moderation.decide_appeal, caller=moderator(), case_id=case_id,
        decision={"outcome": "overturn", "reason": "x"})) == errors.FORBIDDEN
    with entrypoint_waiter(feed_container, "notify_user_suspended", timeout=RPC_TIMEOUT):
        cluster.moderation.decide_appeal(caller=moderator("mod2"), case_id=case_id,
                                         decision={"outcome": "overturn", "reason": "a gift"})
    assert post(cluster, "ann", "Hello again")["id"]
    actions = [e["action"] for e in cluster.moderation.audit_log(
        caller=moderator(), case_id=case_id)["items"]]
    assert actions == ["appeal:overturn", "appeal", "decision:suspend", "screening:hold"]


def test_moderators_of_another_municipality_see_nothing(cluster):
    held = post(cluster, "ann", HOLD)
    other = moderator("modB", "m-other")
    assert cluster.moderation.list_queue(caller=other)["items"] == []
    assert cluster.moderation.audit_log(caller=other)["items"] == []
    assert domain_error_code(refused(cluster.moderation.get_case, caller=other,
                                     case_id="post_" + held["id"])) == errors.NOT_FOUND
    assert domain_error_code(refused(cluster.moderation.list_queue,
                                     caller=resident("bob"))) == errors.FORBIDDEN


def test_the_feed_refuses_to_publish_while_moderation_is_down(feed_container, cluster_rpc):
    error = refused(cluster_rpc.feed.create_post, caller=resident("ann"), post={
        "category": "message", "title": "Hi", "body": "Hello"})
    assert domain_error_code(error) == errors.UNAVAILABLE
    assert feed_ids(cluster_rpc, "ann") == []
