"""Chat and the notifications inbox over a real broker, with the neighbourhood service answering
who shares a neighbourhood: residents (known to both services by identity's events) talk 1:1 and
in groups, blocks refuse messages, staff are refused everywhere, reports reach moderation by
event, the inbox fills from the feed's own events and moderation's, and erasure leaves
placeholders."""
import contextlib
import uuid

import pytest
from nameko.events import event_handler
from nameko.testing.services import entrypoint_waiter

from contracts import errors, events, services
from contracts.caller import CITY_STAFF, MODERATOR, SYSTEM_CALLER, Caller
from services.feed.service import FeedService
from services.moderation.service import ModerationService
from tests.integration.helpers import RPC_TIMEOUT
# The neighbourhood service, a 1 x 3 strip (r0c0 | r0c1 | r0c2) and its helpers.
from tests.integration.test_neighbourhood_service import (  # noqa: F401
    MUNICIPALITY,
    cells,
    container,
    dispatch,
    error_code,
    listener,
    neighbourhood,
    resident as resident_caller,
)

STAFF = Caller(user_id="s1", role=CITY_STAFF, municipality_id=MUNICIPALITY).to_dict()
MODERATOR_CALLER = Caller(user_id="mod1", role=MODERATOR,
                          municipality_id=MUNICIPALITY).to_dict()
HOMES = {"u1": "r0c0", "u2": "r0c0", "u5": "r0c0", "u3": "r0c1", "u4": "r0c2"}
HOME_IDS = {}


class ReportListener:
    name = "test_feed_report_listener"
    received = []

    @event_handler(services.FEED, events.CONTENT_REPORTED.name)
    def on_reported(self, payload):
        self.received.append(payload)


@pytest.fixture
def feed_container(start_service, container):
    start_service(ModerationService)  # screens every post before it is stored (issue 5)
    return start_service(FeedService)


@pytest.fixture
def feed(feed_container, cluster_rpc):
    return cluster_rpc.feed


@pytest.fixture
def reports(start_service):
    ReportListener.received = []
    return start_service(ReportListener, max_workers=1)


def deliver(containers_handlers, dispatch, event, **fields):
    """Publish an event and wait until each (container, handler) handled it."""
    payload = event.payload(uuid.uuid4().hex, **fields)
    with contextlib.ExitStack() as waiting:
        for container_, handler in containers_handlers:
            waiting.enter_context(entrypoint_waiter(container_, handler, timeout=RPC_TIMEOUT))
        dispatch(event.source, event.name, payload)
    return payload


@pytest.fixture
def town(container, feed_container, dispatch, cells):
    """u1, u2, u5 at home in r0c0; u3 in r0c1 (adjacent); u4 in r0c2 (not adjacent to r0c0)."""
    for user, cell in HOMES.items():
        deliver([(container, "on_user_registered"), (feed_container, "on_user_registered")],
                dispatch, events.USER_REGISTERED, user_id=user, municipality_id=MUNICIPALITY,
                household_id="h-" + user, neighbourhood_id=cells[cell], role="resident",
                display_name=user.upper() + " Doe", street="Rue Haute")
    HOME_IDS.update({user: cells[cell] for user, cell in HOMES.items()})
    return cells


def resident(user_id):
    """The resident's caller, with their home as the gateway would put it from the token."""
    return resident_caller(user_id, HOME_IDS.get(user_id))


def test_a_pair_has_one_conversation_and_only_people_who_share_a_neighbourhood_talk(
        feed, neighbourhood, town):
    first = feed.start_conversation(caller=resident("u1"), conversation={"member_ids": ["u2"]})
    again = feed.start_conversation(caller=resident("u2"), conversation={"member_ids": ["u1"]})

    assert first["created"] and not again["created"] and again["id"] == first["id"]
    assert [m["name"] for m in first["members"]] == ["U1 Doe", "U2 Doe"]
    # r0c2 is not adjacent to r0c0: no shared neighbourhood, as if the id were unknown.
    assert error_code(feed.start_conversation, caller=resident("u1"),
                      conversation={"member_ids": ["u4"]}) == errors.NOT_FOUND
    assert error_code(feed.start_conversation, caller=resident("u1"),
                      conversation={"member_ids": ["nobody"]}) == errors.NOT_FOUND
    # u3 (r0c1) follows r0c0: now they share it.
    neighbourhood.follow(caller=resident("u3"), neighbourhood_id=town["r0c0"])
    with_follower = feed.start_conversation(caller=resident("u1"),
                                            conversation={"member_ids": ["u3"]})
    assert with_follower["kind"] == "direct"
    # A stranger to the conversation is told nothing.
    assert error_code(feed.get_conversation, caller=resident("u5"),
                      conversation_id=first["id"]) == errors.NOT_FOUND
    assert error_code(feed.list_messages, caller=resident("u5"),
                      conversation_id=first["id"]) == errors.NOT_FOUND


def test_staff_are_refused_by_every_chat_call_even_for_a_conversation_they_know(feed, town):
    conversation = feed.start_conversation(caller=resident("u1"),
                                           conversation={"member_ids": ["u2"]})
    message = feed.send_message(caller=resident("u1"), conversation_id=conversation["id"],
                                body="Hello")
    calls = [
        (feed.start_conversation, {"conversation": {"member_ids": ["u1"]}}),
        (feed.list_conversations, {}),
        (feed.get_conversation, {"conversation_id": conversation["id"]}),
        (feed.add_conversation_members, {"conversation_id": conversation["id"],
                                         "member_ids": ["u5"]}),
        (feed.leave_conversation, {"conversation_id": conversation["id"]}),
        (feed.send_message, {"conversation_id": conversation["id"], "body": "Hi"}),
        (feed.list_messages, {"conversation_id": conversation["id"]}),
        (feed.report_message, {"conversation_id": conversation["id"],
                               "message_id": message["id"], "reason": "other"}),
        (feed.block_user, {"user_id": "u1"}),
        (feed.unblock_user, {"user_id": "u1"}),
        (feed.list_blocks, {}),
    ]
    for who in (STAFF, MODERATOR_CALLER):
        for call, kwargs in calls:
            assert error_code(call, caller=who, **kwargs) == errors.FORBIDDEN, call


def test_a_block_refuses_the_blocked_persons_messages_wherever_the_blocker_is(feed, town):
    direct = feed.start_conversation(caller=resident("u1"), conversation={"member_ids": ["u2"]})
    group = feed.start_conversation(caller=resident("u1"), conversation={
        "member_ids": ["u2", "u5"], "title": "Rue Haute"})
    feed.send_message(caller=resident("u1"), conversation_id=direct["id"], body="Before")

    assert feed.block_user(caller=resident("u2"), user_id="u1") == {"user_id": "u1",
                                                                    "blocked": True}
    for conversation in (direct, group):
        assert error_code(feed.send_message, caller=resident("u1"),
                          conversation_id=conversation["id"], body="Hi") == errors.FORBIDDEN
    assert error_code(feed.start_conversation, caller=resident("u1"),
                      conversation={"member_ids": ["u2"]}) == errors.FORBIDDEN
    # The blocker still writes; u5, not blocked, too.
    feed.send_message(caller=resident("u2"), conversation_id=group["id"], body="From u2")
    feed.send_message(caller=resident("u5"), conversation_id=group["id"], body="From u5")
    assert [b["user_id"] for b in feed.list_blocks(caller=resident("u2"))["items"]] == ["u1"]

    feed.unblock_user(caller=resident("u2"), user_id="u1")
    feed.send_message(caller=resident("u1"), conversation_id=direct["id"], body="After")
    bodies = [m["body"] for m in feed.list_messages(caller=resident("u2"),
                                                    conversation_id=direct["id"])["items"]]
    assert bodies == ["After", "Before"]


def test_groups_grow_to_their_cap_newcomers_read_from_joining_and_leavers_are_strangers(
        feed, town):
    group = feed.start_conversation(caller=resident("u1"), conversation={
        "member_ids": ["u2"], "title": "Garden club"})
    feed.send_message(caller=resident("u1"), conversation_id=group["id"], body="Early")
    assert error_code(feed.add_conversation_members, caller=resident("u2"),
                      conversation_id=group["id"], member_ids=["u5"]) == errors.FORBIDDEN

    grown = feed.add_conversation_members(caller=resident("u1"), conversation_id=group["id"],
                                          member_ids=["u5"])
    feed.send_message(caller=resident("u2"), conversation_id=group["id"], body="Welcome")
    seen = feed.list_messages(caller=resident("u5"), conversation_id=group["id"])

    assert [m["id"] for m in grown["members"]] == ["u1", "u2", "u5"]
    assert [m["body"] for m in seen["items"]] == ["Welcome"]
    assert feed.leave_conversation(caller=resident("u1"), conversation_id=group["id"])["left"]
    assert error_code(feed.list_messages, caller=resident("u1"),
                      conversation_id=group["id"]) == errors.NOT_FOUND
    assert feed.get_conversation(caller=resident("u2"),
                                 conversation_id=group["id"])["owner_id"] == "u2"


def test_the_inbox_gets_replies_and_chat_messages_and_marks_them_read(
        feed, feed_container, town):
    post = feed.create_post(caller=resident("u1"), post={
        "category": "message", "title": "Ladder", "body": "Who has one?"})
    with entrypoint_waiter(feed_container, "notify_reply", timeout=RPC_TIMEOUT):
        feed.add_comment(caller=resident("u2"), post_id=post["id"], body="I do")
    conversation = feed.start_conversation(caller=resident("u2"),
                                           conversation={"member_ids": ["u1"]})
    for body in ("Come by", "Anytime"):
        with entrypoint_waiter(feed_container, "notify_chat_message", timeout=RPC_TIMEOUT):
            feed.send_message(caller=resident("u2"), conversation_id=conversation["id"],
                              body=body)

    assert [c["unread"] for c in feed.list_conversations(caller=resident("u1"))["items"]] == [2]
    box = feed.list_notifications(caller=resident("u1"))
    kinds = [(n["kind"], n.get("count"), n["actor"]["name"]) for n in box["items"]]

    assert kinds == [("chat_message", 2, "U2 Doe"), ("reply", None, "U2 Doe")]
    assert box["items"][1]["post_id"] == post["id"]
    assert box["unread"]["total"] == 2
    # the sender is not notified of their own messages
    assert feed.list_notifications(caller=resident("u2"))["items"] == []

    marked = feed.mark_notifications_read(caller=resident("u1"),
                                          request={"ids": [box["items"][1]["id"]]})
    assert marked["marked"] == 1 and marked["unread"]["total"] == 1
    feed.list_messages(caller=resident("u1"), conversation_id=conversation["id"])
    after = feed.list_notifications(caller=resident("u1"), unread=True)
    assert after["items"] == [] and after["unread"]["total"] == 0
    assert feed.get_conversation(caller=resident("u1"),
                                 conversation_id=conversation["id"])["unread"] == 0


def test_announcements_to_my_neighbourhood_are_in_my_inbox_until_marked_read(feed, town):
    staff = Caller(user_id="s1", role=CITY_STAFF, municipality_id=MUNICIPALITY).to_dict()
    mine = feed.create_announcement(caller=staff, announcement={
        "title": "Roadworks", "body": "Rue Haute closed Monday", "urgent": True,
        "neighbourhood_ids": [town["r0c0"]]})
    feed.create_announcement(caller=staff, announcement={
        "title": "Elsewhere", "body": "Not for r0c0", "neighbourhood_ids": [town["r0c2"]]})

    box = feed.list_notifications(caller=resident("u1"))
    assert [(n["kind"], n["post_id"], n["urgent"]) for n in box["items"]] == [
        ("announcement", mine["id"], True)]
    assert box["unread"]["by_kind"]["announcement"] == 1

    feed.mark_notifications_read(caller=resident("u1"), request={"all": True})
    again = feed.list_notifications(caller=resident("u1"))
    assert again["items"][0]["read"] is True and again["unread"]["total"] == 0


def test_a_report_reaches_moderation_which_alone_reads_that_text_and_can_hide_it(
        feed, feed_container, reports, dispatch, town):
    conversation = feed.start_conversation(caller=resident("u1"),
                                           conversation={"member_ids": ["u2"]})
    message = feed.send_message(caller=resident("u1"), conversation_id=conversation["id"],
                                body="Cheap watches, 20 euros")
    with entrypoint_waiter(reports, "on_reported", timeout=RPC_TIMEOUT):
        feed.report_message(caller=resident("u2"), conversation_id=conversation["id"],
                            message_id=message["id"], reason="spam_commercial")

    reported = ReportListener.received[0]
    assert (reported["content_kind"], reported["content_id"], reported["author_id"]) == (
        "chat_message", message["id"], "u1")
    assert error_code(feed.report_message, caller=resident("u2"),
                      conversation_id=conversation["id"], message_id=message["id"],
                      reason="other") == errors.CONFLICT
    text = feed.reported_message(caller=SYSTEM_CALLER.to_dict(), message_id=message["id"])
    assert text["body"] == "Cheap watches, 20 euros"
    assert error_code(feed.reported_message, caller=STAFF,
                      message_id=message["id"]) == errors.FORBIDDEN

    deliver([(feed_container, "notify_content_hidden")], dispatch, events.CONTENT_HIDDEN,
            content_id=message["id"], content_kind="chat_message", reasons=["commercial"],
            author_id="u1")

    shown = feed.list_messages(caller=resident("u2"), conversation_id=conversation["id"])
    assert shown["items"][0]["body"] is None and shown["items"][0]["state"] == "hidden"
    told = feed.list_notifications(caller=resident("u1"))["items"][0]
    assert (told["kind"], told["action"], told["content_id"]) == (
        "moderation", "hidden", message["id"])


def test_erasure_leaves_placeholders_and_export_holds_my_chat_and_inbox(
        feed, feed_container, dispatch, town):
    conversation = feed.start_conversation(caller=resident("u1"),
                                           conversation={"member_ids": ["u2"]})
    feed.send_message(caller=resident("u1"), conversation_id=conversation["id"],
                      body="My words")
    with entrypoint_waiter(feed_container, "notify_chat_message", timeout=RPC_TIMEOUT):
        feed.send_message(caller=resident("u2"), conversation_id=conversation["id"],
                          body="Their words")

    exported = feed.export_user(caller=resident("u1"))
    assert [m["body"] for m in exported["chat"]["messages"]] == ["My words"]
    assert [n["kind"] for n in exported["inbox"]["notifications"]] == ["chat_message"]

    deliver([(feed_container, "erase_chat_and_inbox")], dispatch, events.USER_ERASED,
            user_id="u1", municipality_id=MUNICIPALITY)

    thread = feed.list_messages(caller=resident("u2"), conversation_id=conversation["id"])
    assert [(m["body"], m["state"], m["author"]) for m in thread["items"]][1] == (
        None, "erased", None)
    assert feed.export_user(caller=resident("u1"))["chat"]["messages"] == []


def test_past_thirty_messages_a_minute_the_sender_is_told_to_slow_down(feed, town):
    conversation = feed.start_conversation(caller=resident("u1"),
                                           conversation={"member_ids": ["u2"]})
    for n in range(30):
        feed.send_message(caller=resident("u1"), conversation_id=conversation["id"],
                          body="Message %d" % n)

    assert error_code(feed.send_message, caller=resident("u1"),
                      conversation_id=conversation["id"], body="One more") == errors.RATE_LIMITED
    # the others are not slowed down by it
    feed.send_message(caller=resident("u2"), conversation_id=conversation["id"], body="Calm down")


def test_the_inbox_pages_its_two_sources_together_each_item_once_newest_first(
        feed, feed_container, town):
    staff = Caller(user_id="s1", role=CITY_STAFF, municipality_id=MUNICIPALITY).to_dict()
    post = feed.create_post(caller=resident("u1"), post={
        "category": "message", "title": "Hello", "body": "Neighbours"})
    for n in range(3):
        feed.create_announcement(caller=staff, announcement={
            "title": "News %d" % n, "body": "b", "neighbourhood_ids": [town["r0c0"]]})
        with entrypoint_waiter(feed_container, "notify_reply", timeout=RPC_TIMEOUT):
            feed.add_comment(caller=resident("u2"), post_id=post["id"], body="Reply %d" % n)

    whole = feed.list_notifications(caller=resident("u1"), limit=100)["items"]
    paged, cursor = [], None
    while True:
        page = feed.list_notifications(caller=resident("u1"), limit=2, cursor=cursor)
        paged += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert [n["kind"] for n in whole] == ["reply", "announcement"] * 3
    assert [n["id"] for n in paged] == [n["id"] for n in whole]
    assert [(n["created_at"], n["id"]) for n in whole] == sorted(
        ((n["created_at"], n["id"]) for n in whole), reverse=True)
