"""Chat's and the inbox's pure rules (services/feed/chat.py, services/feed/inbox.py): who may
chat with whom, groups, blocks, what a reader sees, reports; what lands in an inbox and how its
two sources page together."""
from datetime import datetime, timezone

import pytest

from contracts import errors, events
from contracts.caller import ADMIN, CITY_STAFF, MODERATOR, RESIDENT, SYSTEM_CALLER, Caller
from contracts.errors import DomainError
from services.feed import chat, domain, inbox

ME = Caller(user_id="u1", role=RESIDENT, municipality_id="m1", neighbourhood_id="n1",
            household_id="h1")
NOW = "2026-11-22T10:00:00.000000Z"


def author(user_id, home="n1", municipality="m1", role=RESIDENT, name=None):
    return domain.Author(user_id=user_id, municipality_id=municipality, neighbourhood_id=home,
                         role=role, display_name=name or "%s Martin" % user_id.upper())


def code(call, *args):
    with pytest.raises(DomainError) as raised:
        call(*args)
    return raised.value.code


def group(members=("u1", "u2"), owner="u1"):
    return chat.Conversation(id="g1", municipality_id="m1", kind=chat.GROUP, title="Garden",
                             owner_id=owner, created_at=NOW, last_message_at=NOW,
                             members={m: "2026-11-22T09:%02d:00.000000Z" % i
                                      for i, m in enumerate(members)})


@pytest.mark.parametrize("role", [CITY_STAFF, MODERATOR, ADMIN])
def test_the_city_is_refused_chat(role):
    assert code(chat.require_chatter, Caller(user_id="s1", role=role,
                                             municipality_id="m1")) == errors.FORBIDDEN
    assert code(chat.require_chatter, SYSTEM_CALLER) == errors.FORBIDDEN
    chat.require_chatter(ME)


def test_one_person_without_title_is_direct_a_title_makes_a_group():
    assert chat.check_new_conversation(ME, {"member_ids": ["u2", "u2"]}) == (
        chat.DIRECT, ["u2"], "")
    assert chat.check_new_conversation(ME, {"member_ids": ["u2"], "title": " Garden "}) == (
        chat.GROUP, ["u2"], "Garden")


@pytest.mark.parametrize("request_, field", [
    ({"member_ids": ["u2", "u3"]}, "title"),
    ({"member_ids": ["u1"]}, "member_ids"),
    ({"member_ids": []}, "member_ids"),
    ({"member_ids": ["u%d" % n for n in range(2, 22)], "title": "Big"}, "member_ids"),
    ({"member_ids": ["u2"], "title": "x" * 81}, "title"),
    ({"member_ids": ["u2"], "kind": "group"}, "kind"),
])
def test_bad_conversations_are_refused_naming_the_field(request_, field):
    with pytest.raises(DomainError) as raised:
        chat.check_new_conversation(ME, request_)
    assert raised.value.code == errors.INVALID and field in raised.value.details


def test_residents_chat_when_their_neighbourhoods_meet_and_nobody_else_is_found():
    chat.require_reachable(ME, author("u2"), ["n1"], ["n1"])
    chat.require_reachable(ME, author("u3", home="n2"), ["n1", "n2"], ["n2"])  # I follow n2
    chat.require_reachable(ME, author("u4", home="n3"), ["n1", "n2"], ["n3", "n2"])  # both n2
    for other, theirs in [(author("u5", home="n9"), ["n9"]),
                          (author("u6", municipality="m2"), ["n1"]),
                          (author("s1", role=CITY_STAFF), ["n1"]),
                          (author("u1"), ["n1"]),
                          (None, [])]:
        assert code(chat.require_reachable, ME, other, ["n1"], theirs) == errors.NOT_FOUND


def test_a_blocked_sender_is_refused_and_a_lone_direct_member_too():
    direct = chat.Conversation(id="d1", municipality_id="m1", kind=chat.DIRECT, title="",
                               owner_id="", created_at=NOW, last_message_at=NOW,
                               members={"u1": NOW})
    with pytest.raises(DomainError) as raised:
        chat.require_writable("u1", group(), ["u2"])
    assert raised.value.code == errors.FORBIDDEN and raised.value.details == {
        "reason": "blocked"}
    assert code(chat.require_writable, "u1", direct, []) == errors.CONFLICT
    chat.require_writable("u1", group(), [])


def test_the_owner_adds_up_to_the_cap_and_hands_over_when_leaving():
    full = group(members=["u%d" % n for n in range(1, 20)])
    chat.require_owner(ME, full)
    assert code(chat.require_owner, Caller(user_id="u2", role=RESIDENT), full) == \
        errors.FORBIDDEN
    chat.require_room(full, ["u20"])
    assert code(chat.require_room, full, ["u20", "u21"]) == errors.CONFLICT
    assert chat.next_owner(group(members=["u1", "u2", "u3"]), "u1") == "u2"
    assert chat.next_owner(group(members=["u1", "u2"]), "u2") == "u1"
    assert chat.next_owner(group(members=["u1"]), "u1") == ""


def test_members_read_only_messages_written_since_they_joined():
    conversation = group()  # u1 joined 09:00, u2 09:01
    early = chat.Message("m1", "g1", "u1", "hi", "2026-11-22T09:00:30.000000Z")
    late = chat.Message("m2", "g1", "u1", "hi", "2026-11-22T09:05:00.000000Z")
    elsewhere = chat.Message("m3", "g9", "u1", "hi", "2026-11-22T09:05:00.000000Z")
    u2 = Caller(user_id="u2", role=RESIDENT)

    assert chat.readable_message(u2, conversation, late) == late
    for message in (early, elsewhere, None):
        assert code(chat.readable_message, u2, conversation, message) == errors.NOT_FOUND


def test_hidden_and_erased_messages_are_placeholders_without_text():
    authors = {"u2": author("u2", home="n2", name="Paul Martin")}
    shown = chat.present_message(chat.Message("m1", "g1", "u2", "Hello", NOW), ME, authors)
    hidden = chat.present_message(chat.Message("m1", "g1", "u2", "Hello", NOW, chat.HIDDEN), ME,
                                  authors)
    erased = chat.present_message(chat.Message("m1", "g1", "", "", NOW, chat.ERASED), ME, authors)

    assert (shown["body"], shown["author"]["name"], shown["mine"]) == ("Hello", "Paul M.", False)
    assert hidden["body"] is None and "moderation" in hidden["placeholder"]
    assert (erased["body"], erased["author"], erased["placeholder"]) == (
        None, None, "This message was deleted.")


def test_a_report_copies_the_text_and_goes_out_as_a_chat_message_report():
    message = chat.Message("m1", "g1", "u2", "Cheap watches", NOW)
    report = chat.new_report(ME, group(), message, "spam_commercial", None,
                             author("u2", home="n2"), NOW)
    event, payload = chat.content_reported(report)

    assert event == events.CONTENT_REPORTED
    assert (payload["content_kind"], payload["content_id"], payload["author_id"],
            payload["reporter_household_id"], payload["neighbourhood_id"]) == (
        "chat_message", "m1", "u2", "h1", "n2")
    assert chat.moderation_view([report])["body"] == "Cheap watches"
    assert code(chat.new_report, ME, group(), message, "boring", None, None, NOW) == \
        errors.INVALID
    own = chat.Message("m2", "g1", "u1", "mine", NOW)
    assert code(chat.new_report, ME, group(), own, "other", None, None, NOW) == errors.INVALID


def test_only_moderation_reads_a_reported_text():
    chat.require_moderation_reader(SYSTEM_CALLER, "m1")
    chat.require_moderation_reader(Caller(user_id="x", role=MODERATOR, municipality_id="m1"),
                                   "m1")
    for caller in (Caller(user_id="x", role=MODERATOR, municipality_id="m2"),
                   Caller(user_id="x", role=CITY_STAFF, municipality_id="m1"), ME):
        assert code(chat.require_moderation_reader, caller, "m1") == errors.NOT_FOUND


def test_a_sent_message_notifies_the_others_without_its_text():
    event, payload = chat.message_sent(group(members=["u1", "u2", "u3"]),
                                       chat.Message("m1", "g1", "u2", "secret", NOW))

    assert event == events.CHAT_MESSAGE_SENT
    assert payload["recipient_ids"] == ["u1", "u3"] and "secret" not in str(payload)


# -- the inbox ----------------------------------------------------------------------------------

def test_a_reply_notifies_the_post_author_but_not_for_their_own_comment():
    comment = events.COMMENT_CREATED.payload(
        "e1", comment_id="c1", post_id="p1", neighbourhood_id="n1", author_id="u2",
        municipality_id="m1", post_author_id="u1")
    note = inbox.reply(comment, NOW)

    assert (note.user_id, note.kind, note.actor_id, note.key) == ("u1", "reply", "u2",
                                                                  "reply:c1")
    assert inbox.reply(dict(comment, author_id="u1"), NOW) is None


def test_moderation_outcomes_go_to_the_author():
    payload = events.CONTENT_HIDDEN.payload("e9", content_id="p1", content_kind="post",
                                            reasons=["commercial"], author_id="u1")
    note = inbox.moderation(events.CONTENT_HIDDEN.name, payload, NOW)

    assert (note.user_id, note.data["action"], note.data["reasons"]) == (
        "u1", "hidden", ["commercial"])
    assert chat.state_after_moderation(events.CONTENT_RESTORED.name) == chat.VISIBLE
    assert chat.state_after_moderation(events.CONTENT_HELD.name) == chat.HIDDEN


def test_announcements_and_stored_notifications_page_on_one_key():
    # An inbox cursor at (t, id) maps to the feed's (published_at, post id) range exactly: an
    # announcement's inbox id is "announcement:" + its post id.
    assert inbox.announcement_bound(None) is None
    assert inbox.announcement_bound((NOW, "announcement:p7")) == (NOW, "p7")
    assert inbox.announcement_bound((NOW, "f00d")) == (NOW, "\uffff")  # "f..." > "announcement:"
    assert inbox.announcement_bound((NOW, "0abc")) == (NOW, "")
    stored = [{"id": "0abc", "created_at": NOW}, {"id": "f00d", "created_at": "2026-11-21"}]
    announced = [{"id": "announcement:p7", "created_at": NOW}]

    assert [i["id"] for i in inbox.merge(stored, announced, 2)] == ["announcement:p7", "0abc"]


def test_announcements_outside_the_window_or_read_are_not_unread():
    now = datetime(2026, 11, 22, 10, tzinfo=timezone.utc)
    post = domain.Post(id="p1", municipality_id="m1", neighbourhood_id="", audience=("n1",),
                       author_id="s1", author_role=CITY_STAFF, category="announcement",
                       title="Works", body="b", published_at="2026-11-20T10:00:00.000000Z")

    assert inbox.announcement_floor(now, "", False) == "2026-10-23T10:00:00.000000Z"
    assert inbox.announcement_floor(now, "2026-11-21T00:00:00.000000Z", True) == \
        "2026-11-21T00:00:00.000000Z"
    assert not inbox.announcement_is_read(post, "", set())
    assert inbox.announcement_is_read(post, "2026-11-21T00:00:00.000000Z", set())
    assert inbox.announcement_is_read(post, "", {"p1"})


@pytest.mark.parametrize("request_, expected", [
    ({"ids": ["n1", "n1", "announcement:p1"]}, ("ids", ["n1", "announcement:p1"])),
    ({"all": True}, ("all", "2026-11-22T10:00:00.000000Z")),
    ({"all": True, "up_to": "2026-11-22T09:00:00+01:00"}, ("all",
                                                           "2026-11-22T08:00:00.000000Z")),
    ({"all": True, "up_to": "2030-01-01T00:00:00Z"}, ("all", "2026-11-22T10:00:00.000000Z")),
])
def test_mark_read_requests(request_, expected):
    now = datetime(2026, 11, 22, 10, tzinfo=timezone.utc)
    assert inbox.check_mark_read(request_, now) == expected


@pytest.mark.parametrize("request_", [{}, {"ids": []}, {"ids": ["a"], "all": True},
                                      {"all": "yes"}, {"ids": ["a"], "up_to": "x"},
                                      {"all": True, "up_to": "tomorrow"}, {"seen": True}])
def test_bad_mark_read_requests_are_refused(request_):
    now = datetime(2026, 11, 22, 10, tzinfo=timezone.utc)
    assert code(inbox.check_mark_read, request_, now) == errors.INVALID


def test_a_sender_writes_at_most_thirty_messages_a_minute():
    now = datetime(2026, 11, 22, 10, tzinfo=timezone.utc)
    chat.require_pace(chat.MESSAGES_PER_MINUTE - 1)

    with pytest.raises(DomainError) as raised:
        chat.require_pace(chat.MESSAGES_PER_MINUTE)
    assert raised.value.code == errors.RATE_LIMITED
    assert raised.value.details == {"retry_after_s": 60}
    assert chat.pace_window_start(now) == "2026-11-22T09:59:00.000000Z"
