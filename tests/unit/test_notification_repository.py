"""The notification store's contract, held by both adapters (sqlite, mongomock, real MongoDB):
who lives where, each person's settings, fan-outs whose batches are counted once, and
deliveries that a redelivered batch cannot send twice."""
import pytest

from servicekit.store import repository_for
from services.notification.repository import MongoNotifications, SqliteNotifications


@pytest.fixture
def notifications(store):
    return repository_for(store, SqliteNotifications, MongoNotifications)


def test_residents_are_found_by_municipality_and_neighbourhood(notifications):
    notifications.upsert_recipient("u1", "m1", "n1", "resident")
    notifications.upsert_recipient("u2", "m1", "n2", "resident")
    notifications.upsert_recipient("u3", "m1", "n1", "city_staff")
    notifications.upsert_recipient("u4", "m2", "n1", "resident")
    notifications.upsert_recipient("u2", "m1", "n3", "resident")  # moved: the latest counts

    assert sorted(notifications.residents_in("m1", ["n1", "n2", "n3"])) == ["u1", "u2"]
    assert notifications.residents_in("m1", ["n2"]) == []
    assert notifications.residents_in("m1", []) == []


def test_settings_are_kept_per_person(notifications):
    assert notifications.settings("u1") is None
    notifications.put_settings("u1", {"digest": "daily"})
    notifications.put_settings("u1", {"digest": "weekly"})
    notifications.put_settings("u2", {"digest": "none"})

    assert notifications.settings("u1") == {"digest": "weekly"}
    assert notifications.settings_of(["u1", "u2", "u3"]) == {
        "u1": {"digest": "weekly"}, "u2": {"digest": "none"}}


def test_a_fanout_starts_once_and_counts_each_batch_once(notifications):
    assert notifications.start_fanout("a1", "m1", 1200, 3, "2026-12-07T20:00:00Z") is True
    assert notifications.start_fanout("a1", "m1", 1200, 3, "2026-12-07T20:00:01Z") is False
    notifications.batch_done("a1", 0)
    notifications.batch_done("a1", 0)  # a redelivered batch
    notifications.batch_done("a1", 2)

    assert notifications.fanout("a1") == {
        "announcement_id": "a1", "municipality_id": "m1", "recipients": 1200, "batches": 3,
        "batches_done": 2, "started_at": "2026-12-07T20:00:00Z"}
    assert notifications.fanout("a2") is None


def test_a_delivery_is_claimed_once_unless_it_failed(notifications):
    assert notifications.claim_delivery("a1", "u1", "email") is True
    notifications.record_delivery("a1", "u1", "email", "sent", "t1")
    assert notifications.claim_delivery("a1", "u1", "email") is False  # never twice
    assert notifications.claim_delivery("a1", "u2", "email") is True
    notifications.record_delivery("a1", "u2", "email", "failed", "t1")
    assert notifications.claim_delivery("a1", "u2", "email") is True  # a retry may try again
    notifications.record_delivery("a1", "u2", "email", "sent", "t2")

    assert notifications.delivery_counts("a1") == {("email", "sent"): 2}
    assert notifications.deliveries_of("u1") == [
        {"announcement_id": "a1", "channel": "email", "status": "sent", "at": "t1"}]


def test_forgetting_a_person_leaves_nothing_of_them(notifications):
    notifications.upsert_recipient("u1", "m1", "n1", "resident")
    notifications.put_settings("u1", {"digest": "daily"})
    notifications.claim_delivery("a1", "u1", "email")
    notifications.forget_user("u1")

    assert notifications.residents_in("m1", ["n1"]) == []
    assert notifications.settings("u1") is None
    assert notifications.deliveries_of("u1") == []


def test_push_subscriptions_belong_to_one_person_and_go_when_dropped(notifications):
    notifications.add_subscription("u1", {"id": "s1", "endpoint": "https://p.example/1"})
    notifications.add_subscription("u1", {"id": "s2", "endpoint": "https://p.example/2"})
    notifications.add_subscription("u2", {"id": "s3", "endpoint": "https://p.example/3"})
    notifications.add_subscription("u2", {"id": "s2", "endpoint": "https://p.example/2"})

    assert notifications.count_subscriptions("u1") == 1  # s2 moved to u2 (same browser)
    assert notifications.remove_subscription("u1", "s3") is False  # not theirs
    found = notifications.subscriptions_of(["u1", "u2"])
    assert sorted(s["id"] for s in found["u2"]) == ["s2", "s3"]
    notifications.drop_subscription("s3")
    notifications.forget_user("u1")
    assert notifications.subscriptions_of(["u1", "u2"]) == {
        "u2": [{"id": "s2", "endpoint": "https://p.example/2"}]}


def test_a_batch_claims_and_records_its_deliveries_at_once(notifications):
    assert notifications.claim_deliveries("a1", ["u1", "u2", "u3"], "push") == ["u1", "u2", "u3"]
    notifications.record_deliveries("a1", "push", {"u1": "sent", "u2": "failed"}, "t1")
    # Redelivered: u1 went, u2 failed (again), u3 never recorded (pending: try again).
    assert notifications.claim_deliveries("a1", ["u1", "u2", "u3"], "push") == ["u2", "u3"]
    notifications.record_deliveries("a1", "push", {}, "t2")
    assert notifications.delivery_counts("a1") == {("push", "sent"): 1, ("push", "failed"): 1,
                                                   ("push", "pending"): 1}
