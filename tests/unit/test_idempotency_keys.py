"""Idempotency keys on every adapter: the first request claims the key, a finished one is
replayed, a different request under the same key is refused, and a dead claim can be taken over."""
import pytest

from contracts import errors
from contracts.errors import DomainError
from servicekit import idempotency
from servicekit.store import repository_for

SCOPE = "create_post:u1"


@pytest.fixture
def keys(store):
    return repository_for(store, idempotency.SqliteIdempotencyKeys,
                          idempotency.MongoIdempotencyKeys)


def test_first_use_claims_and_a_finished_request_is_replayed(keys):
    print_ = idempotency.fingerprint({"title": "Lost cat"})
    assert keys.begin(SCOPE, "k1", print_, now=1000) == (idempotency.NEW, None)
    assert keys.begin(SCOPE, "k1", print_, now=1001) == (idempotency.IN_PROGRESS, None)
    keys.complete(SCOPE, "k1", {"id": "p1"})
    assert keys.begin(SCOPE, "k1", print_, now=1002) == (idempotency.REPLAY, {"id": "p1"})


def test_the_same_key_with_another_request_is_a_mismatch(keys):
    keys.begin(SCOPE, "k1", idempotency.fingerprint({"title": "a"}), now=1000)
    keys.complete(SCOPE, "k1", {"id": "p1"})
    other = idempotency.fingerprint({"title": "b"})
    assert keys.begin(SCOPE, "k1", other, now=1001) == (idempotency.MISMATCH, None)


def test_keys_are_scoped_per_operation_and_user(keys):
    print_ = idempotency.fingerprint({})
    assert keys.begin(SCOPE, "k1", print_, now=1000)[0] == idempotency.NEW
    assert keys.begin("create_post:u2", "k1", print_, now=1000)[0] == idempotency.NEW


def test_an_abandoned_claim_frees_the_key(keys):
    print_ = idempotency.fingerprint({"title": "a"})
    keys.begin(SCOPE, "k1", print_, now=1000)
    keys.abandon(SCOPE, "k1")
    assert keys.begin(SCOPE, "k1", print_, now=1001)[0] == idempotency.NEW


def test_a_claim_whose_request_died_is_taken_over_once(keys):
    print_ = idempotency.fingerprint({"title": "a"})
    keys.begin(SCOPE, "k1", print_, now=1000)
    later = 1000 + idempotency.STALE_PENDING_SECONDS + 1
    assert keys.begin(SCOPE, "k1", print_, now=later)[0] == idempotency.NEW
    assert keys.begin(SCOPE, "k1", print_, now=later)[0] == idempotency.IN_PROGRESS


def test_a_finished_key_expires_after_the_retention(keys):
    first = idempotency.fingerprint({"title": "a"})
    keys.begin(SCOPE, "k1", first, now=1000)
    keys.complete(SCOPE, "k1", {"id": "p1"})
    later = 1000 + idempotency.RETENTION_SECONDS + 1
    assert keys.begin(SCOPE, "k1", idempotency.fingerprint({"title": "b"}), now=later)[0] == (
        idempotency.NEW)


@pytest.mark.parametrize("key", ["", "x" * 129, "has space", "é", None, 12])
def test_malformed_keys_are_invalid(key):
    with pytest.raises(DomainError) as raised:
        idempotency.validate_key(key)
    assert raised.value.code == errors.INVALID


def test_erasure_forgets_the_person_s_keys_and_responses_naming_them(keys):
    print_ = idempotency.fingerprint({})
    for scope, key, response in [
            ("create_post:u1", "k1", {"id": "p1", "body": "my words"}),
            ("block_user:u2", "k2", {"blocked_user_id": "u1"}),
            ("create_post:u2", "k3", {"id": "p2", "author_id": "u2"}),
            ("create_post:xu1", "k4", {"id": "p3"})]:
        keys.begin(scope, key, print_, now=1000)
        keys.complete(scope, key, response)

    keys.forget_user("u1")
    keys.forget_user("u1")  # idempotent

    assert keys.begin("create_post:u1", "k1", print_, now=1001)[0] == idempotency.NEW
    assert keys.begin("block_user:u2", "k2", print_, now=1001)[0] == idempotency.NEW
    assert keys.begin("create_post:u2", "k3", print_, now=1001) == (
        idempotency.REPLAY, {"id": "p2", "author_id": "u2"})
    assert keys.begin("create_post:xu1", "k4", print_, now=1001)[0] == idempotency.REPLAY


def test_records_are_deleted_two_retention_periods_after_they_started(keys, store):
    print_ = idempotency.fingerprint({})
    keys.begin("create_post:u1", "old", print_, now=1000)
    keys.complete("create_post:u1", "old", {"body": "words from long ago"})
    keys.begin("create_post:u2", "new", print_, now=1000 + 2 * idempotency.RETENTION_SECONDS + 1)
    if store.kind == "sqlite":  # MongoDB's TTL monitor does this on its own schedule
        assert [r[0] for r in store.execute("SELECT key FROM idempotency_keys")] == ["new"]
