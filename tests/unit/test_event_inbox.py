"""The event inbox contract on every adapter: duplicates are recognised, failures parked and
leased to one retrier at a time, resolved events leave the parking, dead ones stay visible."""
import time

import pytest

from servicekit import event_inbox
from servicekit.store import repository_for

PAYLOAD = {"event_id": "user_registered:u1", "user_id": "u1", "schema_version": 1}


@pytest.fixture
def inbox(store):
    return repository_for(store, event_inbox.SqliteEventInbox, event_inbox.MongoEventInbox)


def test_a_processed_event_is_recognised_per_handler(inbox):
    assert not inbox.is_processed("on_registered", "e1")
    inbox.record_processed("on_registered", "e1")
    inbox.record_processed("on_registered", "e1")  # a second record is harmless
    assert inbox.is_processed("on_registered", "e1")
    assert not inbox.is_processed("on_erased", "e1")


def test_a_parked_event_is_claimed_once_when_due(inbox):
    now = time.time()
    inbox.park("on_registered", "e1", PAYLOAD, "boom", attempts=1, retry_at=now - 1)
    inbox.park("on_registered", "e2", PAYLOAD, "boom", attempts=1, retry_at=now + 60)

    claimed = inbox.claim_due(now=now)
    assert claimed == [("on_registered", "e1", PAYLOAD, 1)]
    # Leased: neither this nor another instance takes it again until the lease runs out.
    assert inbox.claim_due(now=now) == []
    later = now + event_inbox.CLAIM_LEASE_SECONDS + 1
    assert {event_id for _, event_id, _, _ in inbox.claim_due(now=later)} == {"e1", "e2"}


def test_resolving_removes_the_parked_event_and_marks_it_processed(inbox):
    inbox.park("on_registered", "e1", PAYLOAD, "boom", attempts=2, retry_at=time.time() - 1)
    inbox.resolve("on_registered", "e1")
    assert inbox.parked() == []
    assert inbox.is_processed("on_registered", "e1")


def test_dead_events_stay_listed_and_are_not_retried(inbox):
    now = time.time()
    inbox.park("on_registered", "e1", PAYLOAD, "boom", attempts=1, retry_at=now - 1)
    inbox.park("on_registered", "e1", PAYLOAD, "still boom", attempts=8, retry_at=now - 1,
               dead=True)
    assert inbox.claim_due(now=now) == []
    [dead] = inbox.parked(dead=True)
    assert (dead["event_id"], dead["attempts"], dead["error"], dead["payload"]) == (
        "e1", 8, "still boom", PAYLOAD)
    assert inbox.parked(dead=False) == []


def test_retry_delays_double_up_to_ten_minutes():
    assert [event_inbox.retry_delay(n) for n in (1, 2, 3)] == [5, 10, 20]
    assert event_inbox.retry_delay(30) == event_inbox.MAX_RETRY_SECONDS


def test_events_without_an_id_are_keyed_by_their_content():
    assert event_inbox.event_key(PAYLOAD) == "user_registered:u1"
    first = event_inbox.event_key({"b": 1, "a": 2})
    assert first == event_inbox.event_key({"a": 2, "b": 1})
    assert first != event_inbox.event_key({"a": 2, "b": 2})


def test_a_processed_record_names_no_one_and_older_plain_records_still_count(inbox, store):
    inbox.record_processed("on_registered", "user_registered:u1")
    assert inbox.is_processed("on_registered", "user_registered:u1")
    if store.kind == "sqlite":
        stored = [r[0] for r in store.execute("SELECT event_id FROM event_inbox_processed")]
        store.execute("INSERT INTO event_inbox_processed VALUES ('h', 'plain:u2', 0)")
    else:
        stored = [d["event_id"] for d in store.db["event_inbox_processed"].find()]
        store.db["event_inbox_processed"].insert_one(
            {"handler": "h", "event_id": "plain:u2", "processed_at": 0})
    assert stored and not any("u1" in event_id for event_id in stored)
    assert inbox.is_processed("h", "plain:u2")


def test_erasure_forgets_parked_events_naming_the_person_but_not_the_erasure_itself(inbox):
    now = time.time()
    inbox.park("on_registered", "user_registered:u1", PAYLOAD, "boom", 1, now + 60)
    other = dict(PAYLOAD, user_id="u2", event_id="user_registered:u2")
    inbox.park("on_registered", "user_registered:u2", other, "boom", 1, now + 60)
    erasure = {"event_id": "user_erased:u1", "user_id": "u1", "schema_version": 1}
    inbox.park("on_user_erased", "user_erased:u1", erasure, "boom", 1, now + 60)

    inbox.forget_user("u1")
    inbox.forget_user("u1")  # idempotent

    assert sorted(p["event_id"] for p in inbox.parked()) == [
        "user_erased:u1", "user_registered:u2"]


def test_an_erased_person_is_recognised_in_a_later_event_by_digest_only(inbox, store):
    inbox.record_erased("u1")
    inbox.record_erased("u1")  # idempotent

    assert inbox.erased_among({"event_id": "content_reported:x", "reporter_id": "u1",
                               "author_id": "u2", "schema_version": 1}) == ["u1"]
    assert inbox.erased_among({"event_id": "u1", "user_id": "u2"}) == []
    assert inbox.erased_among("not a payload") == []
    if store.kind == "sqlite":
        kept = [r[0] for r in store.execute("SELECT person FROM event_inbox_erased")]
    else:
        kept = [d["_id"] for d in store.db["event_inbox_erased"].find()]
    assert len(kept) == 1 and "u1" not in kept[0]
