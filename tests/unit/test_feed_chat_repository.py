"""The chat repository contract, run on every adapter (SQLite, mongomock, real MongoDB when
MONGO_URI is set) through the shared `store` fixture."""
from concurrent.futures import ThreadPoolExecutor

import pytest

from servicekit.store import repository_for
from services.feed import chat
from services.feed.chat_repository import MongoChat, SqliteChat


@pytest.fixture
def chats(store):
    return repository_for(store, SqliteChat, MongoChat)


def at(minute, second=0):
    return "2026-11-22T10:%02d:%02d.000000Z" % (minute, second)


def conversation(id, members, kind=chat.GROUP, owner="u1", when=None):
    when = when or at(0)
    return chat.Conversation(id=id, municipality_id="m1", kind=kind,
                             title="Street" if kind == chat.GROUP else "",
                             owner_id=owner if kind == chat.GROUP else "", created_at=when,
                             last_message_at=when, members={m: when for m in members})


def message(id, conversation_id, author, when, body=None):
    return chat.Message(id=id, conversation_id=conversation_id, author_id=author,
                        body=body or "Hello " + id, created_at=when)


def test_a_pair_has_one_direct_conversation_and_starting_it_again_brings_back_who_left(chats):
    first, created = chats.open_direct(conversation("c1", ["u1", "u2"], chat.DIRECT))
    again, created_again = chats.open_direct(
        conversation("c2", ["u2", "u1"], chat.DIRECT, when=at(5)))
    chats.remove_member("c1", "u2")
    back, _ = chats.open_direct(conversation("c3", ["u1", "u2"], chat.DIRECT, when=at(9)))

    assert created and not created_again
    assert again.id == first.id == "c1"
    assert again.members == {"u1": at(0), "u2": at(0)}
    # u1 never left and keeps their joining time; u2 is back from the new start on.
    assert back.id == "c1" and back.members == {"u1": at(0), "u2": at(9)}


def test_concurrent_starts_of_the_same_pair_give_one_conversation(chats):
    def start(n):
        return chats.open_direct(conversation("c%d" % n, ["u1", "u2"], chat.DIRECT))[0].id

    with ThreadPoolExecutor(8) as pool:
        ids = set(pool.map(start, range(16)))

    assert len(ids) == 1


def test_members_are_added_up_to_the_cap_and_never_beyond(chats):
    chats.create_group(conversation("g1", ["u1", "u2"]))

    grown = chats.add_members("g1", ["u3", "u4", "u2"], at(3), cap=4)
    refused = chats.add_members("g1", ["u5"], at(4), cap=4)

    assert grown.members == {"u1": at(0), "u2": at(0), "u3": at(3), "u4": at(3)}
    assert refused is None
    assert chats.get_conversation("g1").member_ids == ["u1", "u2", "u3", "u4"]
    assert chats.add_members("nope", ["u5"], at(4), cap=4) is None


def test_concurrent_adds_never_pass_the_cap(chats):
    chats.create_group(conversation("g1", ["u1"]))

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda n: chats.add_members("g1", ["v%d" % n], at(1), cap=5), range(12)))

    assert len(chats.get_conversation("g1").members) == 5


def test_the_owner_leaving_hands_the_group_to_the_longest_standing_member(chats):
    chats.create_group(conversation("g1", ["u1", "u2"]))
    chats.add_members("g1", ["u3"], at(2), cap=20)

    assert chats.remove_member("g1", "u1") == 2
    assert chats.get_conversation("g1").owner_id == "u2"
    assert chats.remove_member("g1", "u1") is None  # not in any more


def test_an_empty_conversation_is_deleted_with_its_messages(chats):
    chats.create_group(conversation("g1", ["u1", "u2"]))
    chats.add_message(message("m1", "g1", "u1", at(1)))

    chats.remove_member("g1", "u1")
    chats.remove_member("g1", "u2")

    assert chats.get_conversation("g1") is None
    assert chats.get_message("m1") is None
    assert chats.add_message(message("m2", "g1", "u1", at(2))) is False


def test_my_conversations_come_latest_activity_first_and_page_by_range(chats):
    for n in range(5):
        chats.create_group(conversation("g%d" % n, ["u1", "u9"], when=at(n)))
    chats.create_group(conversation("other", ["u2", "u3"], when=at(7)))
    chats.add_message(message("m1", "g1", "u9", at(8)))

    first = chats.conversations_of("u1", limit=3)
    rest = chats.conversations_of("u1", before=(first[-1].last_message_at, first[-1].id),
                                  limit=3)

    assert [c.id for c in first] == ["g1", "g4", "g3"]
    assert [c.id for c in rest] == ["g2", "g0"]
    assert first[0].last_message_at == at(8)


def test_messages_page_newest_first_from_the_members_joining_time(chats):
    chats.create_group(conversation("g1", ["u1"]))
    for n in range(6):
        chats.add_message(message("m%d" % n, "g1", "u1", at(n + 1)))
    chats.add_message(message("mx", "g1", "u1", at(3)))  # same instant as m2: ordered by id

    first = chats.messages_page("g1", at(0), limit=4)
    rest = chats.messages_page("g1", at(0), before=(first[-1].created_at, first[-1].id),
                               limit=10)
    since_joined = chats.messages_page("g1", at(4), limit=10)

    assert [m.id for m in first] == ["m5", "m4", "m3", "mx"]
    assert [m.id for m in rest] == ["m2", "m1", "m0"]
    assert [m.id for m in since_joined] == ["m5", "m4", "m3"]


def test_a_senders_recent_messages_are_counted_across_conversations(chats):
    chats.create_group(conversation("g1", ["u1", "u2"]))
    chats.create_group(conversation("g2", ["u1", "u3"]))
    for n, (where, who, minute) in enumerate([("g1", "u1", 1), ("g2", "u1", 2), ("g1", "u1", 3),
                                              ("g1", "u2", 3), ("g2", "u1", 0)]):
        chats.add_message(message("m%d" % n, where, who, at(minute)))

    assert chats.messages_since("u1", at(0)) == 3
    assert chats.messages_since("u1", at(2)) == 1
    assert chats.messages_since("u9", at(0)) == 0


def test_moderation_hides_and_restores_but_never_revives_an_erased_message(chats):
    chats.create_group(conversation("g1", ["u1", "u2"]))
    chats.add_message(message("m1", "g1", "u1", at(1)))
    chats.add_message(message("m2", "g1", "u2", at(2)))

    assert chats.set_message_state("m1", chat.HIDDEN)
    assert chats.get_message("m1").state == chat.HIDDEN
    chats.set_message_state("m1", chat.VISIBLE)
    chats.erase_user("u2")

    assert chats.get_message("m1").state == chat.VISIBLE
    assert not chats.set_message_state("m2", chat.VISIBLE)
    assert chats.get_message("m2").state == chat.ERASED


def test_blocks_are_one_way_listed_in_order_and_found_both_ways(chats):
    assert chats.block("u1", "u2", at(1))
    assert not chats.block("u1", "u2", at(2))  # already
    chats.block("u1", "u3", at(3))
    chats.block("u4", "u1", at(4))

    assert [b["user_id"] for b in chats.blocks_of("u1")] == ["u2", "u3"]
    assert chats.blocks_of("u1", after=(at(1), "u2")) == [{"user_id": "u3", "blocked_at": at(3)}]
    assert chats.blocks_between("u1", ["u2", "u4", "u5", "u1"]) == [("u1", "u2"), ("u4", "u1")]
    assert chats.blocks_between("u2", ["u3"]) == []
    assert chats.unblock("u1", "u2") and not chats.unblock("u1", "u2")
    assert chats.blocks_between("u1", ["u2"]) == []


def test_a_report_is_once_per_reporter_and_keeps_the_text(chats):
    report = {"message_id": "m1", "conversation_id": "g1", "reporter_id": "u2",
              "author_id": "u1", "body": "Buy my stuff", "reason": "spam_commercial",
              "note": "", "reported_at": at(5), "municipality_id": "m1",
              "reporter_household_id": "h2", "neighbourhood_id": "n1", "sent_at": at(1)}

    assert chats.add_report(report)
    assert not chats.add_report(dict(report, reason="other"))
    chats.add_report(dict(report, reporter_id="u3", reported_at=at(6)))

    assert [r["reporter_id"] for r in chats.reports_of_message("m1")] == ["u2", "u3"]
    assert chats.reports_of_message("m1")[0]["body"] == "Buy my stuff"
    assert [r["message_id"] for r in chats.reports_by("u2")] == ["m1"]


def test_erasure_leaves_placeholders_and_forgets_the_person(chats):
    chats.open_direct(conversation("d1", ["u1", "u2"], chat.DIRECT))
    chats.create_group(conversation("g1", ["u1", "u3"], owner="u1"))
    chats.add_message(message("m1", "d1", "u1", at(1)))
    chats.add_message(message("m2", "d1", "u2", at(2)))
    chats.block("u1", "u3", at(3))
    chats.block("u3", "u1", at(3))
    chats.add_report({"message_id": "m1", "reporter_id": "u2", "author_id": "u1",
                      "body": "x", "reported_at": at(4)})
    chats.add_report({"message_id": "m2", "reporter_id": "u1", "author_id": "u2",
                      "body": "y", "reported_at": at(4)})

    chats.erase_user("u1")

    erased = chats.get_message("m1")
    assert (erased.state, erased.body, erased.author_id) == (chat.ERASED, "", "")
    assert chats.get_message("m2").body == "Hello m2"
    assert chats.get_conversation("d1").member_ids == ["u2"]
    assert chats.get_conversation("g1").owner_id == "u3"
    assert chats.get_conversation("g1").title == ""  # the name its owner gave it goes too
    assert chats.conversations_with("u1") == [] and chats.messages_by("u1") == []
    assert chats.blocks_between("u3", ["u1"]) == []
    assert chats.reports_of_message("m1") == [] and chats.reports_by("u1") == []
    # the pair's key is gone: a new direct conversation for u2 and a new id starts afresh
    fresh, created = chats.open_direct(conversation("d2", ["u2", "u1"], chat.DIRECT))
    assert created and fresh.id == "d2"
