"""Idempotency keys for create operations (ARCHITECTURE §4.5): a client that retries a request with
the same `Idempotency-Key` gets the first response, never a second object; the same key with a
different request is refused; concurrent replays wait for the first to finish.

Keys are scoped by operation and user, kept for 24 hours, and stored in the service's own store
(two adapters, one contract). A pending key whose request died (no completion within
STALE_PENDING_SECONDS) may be taken over, so a crash never blocks a key for a whole day.

A stored response holds what was created (a post's text, a message, user ids): when a person is
erased, `forget_user` deletes their records and every record whose response names them.
"""
import hashlib
import json
import re
import sqlite3
import time

from pymongo.errors import DuplicateKeyError

from contracts import errors
from contracts.errors import DomainError

KEY_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")
RETENTION_SECONDS = 24 * 3600
STALE_PENDING_SECONDS = 30.0

NEW = "new"
REPLAY = "replay"
MISMATCH = "mismatch"
IN_PROGRESS = "in_progress"


def validate_key(key):
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        raise errors.invalid(
            "Idempotency-Key must be 1-128 characters from letters, digits and _ . : -"
        )
    return key


def fingerprint(request):
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def replay_mismatch():
    return DomainError(
        errors.UNPROCESSABLE,
        "this Idempotency-Key was already used with a different request",
    )


class SqliteIdempotencyKeys:
    def __init__(self, store):
        self.store = store
        self.store.execute(
            """CREATE TABLE IF NOT EXISTS idempotency_keys (
                   scope TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL,
                   done INTEGER NOT NULL DEFAULT 0, response TEXT, started_at REAL NOT NULL,
                   PRIMARY KEY (scope, key))"""
        )
        self.store.execute("CREATE INDEX IF NOT EXISTS idempotency_keys_started "
                           "ON idempotency_keys (started_at)")

    def begin(self, scope, key, request_fingerprint, now=None):
        """Claim the key for this request, or say why not: (state, stored response)."""
        now = now or time.time()
        try:
            self.store.execute(
                "INSERT INTO idempotency_keys (scope, key, fingerprint, started_at) "
                "VALUES (?, ?, ?, ?)",
                (scope, key, request_fingerprint, now),
            )
            # Stored responses hold people's texts: they go once no retry can need them (as
            # MongoDB's TTL index does), not whenever someone happens to reuse the key.
            self.store.execute("DELETE FROM idempotency_keys WHERE started_at < ?",
                               (now - 2 * RETENTION_SECONDS,))
            return NEW, None
        except sqlite3.IntegrityError:
            pass
        row = self.store.execute(
            "SELECT fingerprint, done, response, started_at FROM idempotency_keys "
            "WHERE scope = ? AND key = ?", (scope, key),
        ).fetchone()
        if row is None:  # removed meanwhile (abandoned): try again from the start
            return self.begin(scope, key, request_fingerprint, now)
        expired = row["started_at"] < now - RETENTION_SECONDS
        stale = not row["done"] and row["started_at"] < now - STALE_PENDING_SECONDS
        if expired or stale:
            taken = self.store.execute(
                "UPDATE idempotency_keys SET fingerprint = ?, done = 0, response = NULL, "
                "started_at = ? WHERE scope = ? AND key = ? AND started_at = ?",
                (request_fingerprint, now, scope, key, row["started_at"]),
            ).rowcount
            return (NEW, None) if taken == 1 else (IN_PROGRESS, None)
        if row["fingerprint"] != request_fingerprint:
            return MISMATCH, None
        if row["done"]:
            return REPLAY, json.loads(row["response"])
        return IN_PROGRESS, None

    def complete(self, scope, key, response):
        self.store.execute(
            "UPDATE idempotency_keys SET done = 1, response = ? WHERE scope = ? AND key = ?",
            (json.dumps(response), scope, key),
        )

    def abandon(self, scope, key):
        self.store.execute(
            "DELETE FROM idempotency_keys WHERE scope = ? AND key = ? AND done = 0", (scope, key)
        )

    def forget_user(self, user_id):
        """Erasure: the person's own keys (scope "<operation>:<user id>") and any stored response
        that names them (someone else's block of them, a reply to them)."""
        return self.store.execute(
            "DELETE FROM idempotency_keys WHERE substr(scope, -?) = ? OR instr(response, ?) > 0",
            (len(user_id) + 1, ":" + user_id, user_id),
        ).rowcount


class MongoIdempotencyKeys:
    def __init__(self, store):
        # _id is "<scope>\n<key>": the unique primary key makes the claim atomic.
        self.collection = store.db["idempotency_keys"]
        self.collection.create_index("started_at", expireAfterSeconds=2 * RETENTION_SECONDS,
                                     name="expire")

    @staticmethod
    def _id(scope, key):
        return "%s\n%s" % (scope, key)

    def begin(self, scope, key, request_fingerprint, now=None):
        now = now or time.time()
        document_id = self._id(scope, key)
        try:
            self.collection.insert_one({"_id": document_id, "fingerprint": request_fingerprint,
                                        "done": False, "response": None, "started_at": now})
            return NEW, None
        except DuplicateKeyError:
            pass
        row = self.collection.find_one({"_id": document_id})
        if row is None:
            return self.begin(scope, key, request_fingerprint, now)
        expired = row["started_at"] < now - RETENTION_SECONDS
        stale = not row["done"] and row["started_at"] < now - STALE_PENDING_SECONDS
        if expired or stale:
            taken = self.collection.update_one(
                {"_id": document_id, "started_at": row["started_at"]},
                {"$set": {"fingerprint": request_fingerprint, "done": False, "response": None,
                          "started_at": now}},
            ).modified_count
            return (NEW, None) if taken == 1 else (IN_PROGRESS, None)
        if row["fingerprint"] != request_fingerprint:
            return MISMATCH, None
        if row["done"]:
            return REPLAY, json.loads(row["response"])
        return IN_PROGRESS, None

    def complete(self, scope, key, response):
        self.collection.update_one({"_id": self._id(scope, key)},
                                   {"$set": {"done": True, "response": json.dumps(response)}})

    def abandon(self, scope, key):
        self.collection.delete_one({"_id": self._id(scope, key), "done": False})

    def forget_user(self, user_id):
        return self.collection.delete_many({"$or": [
            {"_id": {"$regex": "^[^\n]*:%s\n" % re.escape(user_id)}},
            {"response": {"$regex": re.escape(user_id)}},
        ]}).deleted_count
