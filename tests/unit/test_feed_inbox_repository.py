"""The notifications inbox repository contract, run on every adapter (SQLite, mongomock, real
MongoDB when MONGO_URI is set) through the shared `store` fixture."""
import pytest

from servicekit.store import repository_for
from services.feed import inbox
from services.feed.inbox_repository import MongoInbox, SqliteInbox


@pytest.fixture
def box(store):
    return repository_for(store, SqliteInbox, MongoInbox)


def at(minute):
    return "2026-11-22T10:%02d:00.000000Z" % minute


def reply(id, user="u1", when=None, actor="u2"):
    return inbox.Notification(id=id, user_id=user, kind=inbox.REPLY, key="reply:" + id,
                              created_at=when or at(1), actor_id=actor,
                              data={"post_id": "p1", "comment_id": id})


def chat_note(message_id, when, user="u1", actor="u2"):
    return inbox.chat_messages({"conversation_id": "c1", "message_id": message_id,
                                "author_id": actor, "recipient_ids": [user],
                                "sent_at": when})[0]


def test_one_notification_per_key_and_newest_first_by_range(box):
    for n in range(5):
        assert box.add(reply("n%d" % n, when=at(n)))
    assert not box.add(reply("n2", when=at(9)))
    box.add(reply("other", user="u9"))

    first = box.page("u1", limit=3)
    rest = box.page("u1", before=(first[-1].created_at, first[-1].id), limit=3)

    assert [n.id for n in first] == ["n4", "n3", "n2"]
    assert [n.id for n in rest] == ["n1", "n0"]
    assert first[0].data == {"post_id": "p1", "comment_id": "n4"} and not first[0].read


def test_marking_by_id_and_up_to_a_time_and_counting_what_is_unread(box):
    for n in range(4):
        box.add(reply("n%d" % n, when=at(n)))
    box.add(chat_note("m1", at(5)))

    assert box.unread_counts("u1") == {inbox.REPLY: 4, inbox.CHAT_MESSAGE: 1}
    assert box.mark_read("u1", ["n0", "n0", "nope"]) == 1
    assert box.mark_read("u9", ["n1"]) == 0  # not theirs
    assert box.mark_read_until("u1", at(2)) == 2
    assert box.read_until("u1") == at(2)
    box.mark_read_until("u1", at(1))  # the mark never goes back
    assert box.read_until("u1") == at(2)

    assert box.unread_counts("u1") == {inbox.REPLY: 1, inbox.CHAT_MESSAGE: 1}
    assert [n.id for n in box.page("u1", unread_only=True)] == [
        box.page("u1")[0].id, "n3"]


def test_a_conversation_is_one_entry_counting_messages_until_read(box):
    box.add_chat_message(chat_note("m1", at(1)))
    box.add_chat_message(chat_note("m2", at(2), actor="u3"))
    box.add_chat_message(chat_note("m2", at(2), actor="u3"))  # the same message again

    entry = box.page("u1")[0]
    assert (entry.count, entry.created_at, entry.actor_id) == (2, at(2), "u3")
    assert entry.data["message_id"] == "m2"

    assert box.unread_chat_counts("u1", ["c1", "c2"]) == {"c1": 2}
    assert box.unread_chat_counts("u2", ["c1"]) == {} and box.unread_chat_counts("u1", []) == {}
    assert box.mark_key_read("u1", inbox.chat_key("c1")) == 1
    assert box.unread_chat_counts("u1", ["c1"]) == {}
    box.add_chat_message(chat_note("m3", at(3)))
    after = box.page("u1")
    assert len(after) == 1 and (after[0].count, after[0].read) == (1, False)


def test_announcements_read_one_by_one(box):
    assert box.mark_announcements_read("u1", ["p1", "p2", "p1"]) == 2
    assert box.mark_announcements_read("u1", ["p2"]) == 0

    assert box.announcements_read("u1", ["p1", "p3"]) == {"p1"}
    assert box.announcements_read("u2", ["p1"]) == set()


def test_erasure_empties_the_inbox_unnames_the_person_and_keeps_them_out(box):
    box.add(reply("n1", user="u1", actor="u2"))
    box.add(reply("n2", user="u2", actor="u1"))
    box.mark_read_until("u1", at(5))
    box.mark_announcements_read("u1", ["p1"])

    box.erase_user("u1")

    assert box.page("u1") == [] and box.read_until("u1") == ""
    assert box.announcements_read("u1", ["p1"]) == set()
    assert box.page("u2")[0].actor_id == ""
    assert not box.add(reply("late", user="u1"))
    assert not box.add_chat_message(chat_note("m9", at(9), user="u1"))
    assert box.notifications_of("u1") == []


def test_the_list_of_erased_recipients_names_no_one(box, store):
    box.erase_user("u1-secret-id")
    box.erase_user("u1-secret-id")  # idempotent
    if store.kind == "sqlite":
        kept = [row[0] for row in store.execute("SELECT user_id FROM inbox_erased")]
    else:
        kept = [document["_id"] for document in store.db["inbox_erased"].find()]
    assert len(kept) == 1 and "secret" not in kept[0]
    assert not box.add(reply("late", user="u1-secret-id"))
