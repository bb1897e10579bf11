"""The event inbox: what makes event handling at-least-once without duplicates or silent loss.

nameko acknowledges an event once its handler returns or raises, so a handler that fails would
simply lose the event (ARCHITECTURE §7, pitfalls). Every service therefore records, in its own
store:
- processed events (handler, event_id): a redelivered or replayed event is skipped;
- parked events: a failed delivery with its payload, error, attempt count and next retry time,
  retried with exponential backoff, and after MAX_ATTEMPTS kept as `dead` for an operator.
Two adapters (SQLite, MongoDB) held to the same contract tests.

Personal data: an event id may name a person ("user_registered:<user id>"), so a processed record
keeps only a digest of it; a parked event keeps its payload, so `forget_user` deletes the parked
events that name an erased person (but never a pending `user_erased` itself: that retry is the
erasure). Erased people are remembered by digest, so that an event about them arriving after
their erasure (late, or retried) can be followed by the erasure again.
"""
import hashlib
import json
import re
import sqlite3
import time

import pymongo
from pymongo.errors import DuplicateKeyError

MAX_ATTEMPTS = 8
FIRST_RETRY_SECONDS = 5.0
MAX_RETRY_SECONDS = 600.0
# A claimed retry is leased for this long: another instance of the service will not take it up
# meanwhile, and if the claimant dies the lease simply runs out.
CLAIM_LEASE_SECONDS = 120.0


def retry_delay(attempts, first=FIRST_RETRY_SECONDS):
    """Seconds before retry number `attempts` (1-based): 5, 10, 20 ... capped at 10 minutes."""
    return min(first * 2 ** (attempts - 1), MAX_RETRY_SECONDS)


def event_key(payload):
    """The idempotency key of an event: its event_id, or a digest of the payload for events
    published by something that did not set one."""
    event_id = payload.get("event_id") if isinstance(payload, dict) else None
    if isinstance(event_id, str) and event_id:
        return event_id
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


ERASURE_EVENT_PREFIX = "user_erased:"


def processed_key(event_id):
    """What a processed record stores: a digest, so the record names no one."""
    return "processed:" + hashlib.sha256(event_id.encode()).hexdigest()


def erased_key(user_id):
    """How the inbox remembers an erased person: a digest, which answers "was this id erased?"
    only to someone who already has the id."""
    return "erased:" + hashlib.sha256(user_id.encode()).hexdigest()


def named_ids(payload):
    """The payload's top-level strings that may be a person's id (user_id, author_id...)."""
    if not isinstance(payload, dict):
        return []
    return sorted({value for name, value in payload.items()
                   if name not in ("event_id", "schema_version") and isinstance(value, str)
                   and 0 < len(value) <= 128})


class SqliteEventInbox:
    def __init__(self, store):
        self.store = store
        self.store.execute(
            """CREATE TABLE IF NOT EXISTS event_inbox_processed (
                   handler TEXT NOT NULL, event_id TEXT NOT NULL, processed_at REAL NOT NULL,
                   PRIMARY KEY (handler, event_id))"""
        )
        self.store.execute(
            """CREATE TABLE IF NOT EXISTS event_inbox_parked (
                   handler TEXT NOT NULL, event_id TEXT NOT NULL, payload TEXT NOT NULL,
                   error TEXT NOT NULL, attempts INTEGER NOT NULL, retry_at REAL NOT NULL,
                   dead INTEGER NOT NULL DEFAULT 0,
                   PRIMARY KEY (handler, event_id))"""
        )
        self.store.execute(
            "CREATE INDEX IF NOT EXISTS event_inbox_due ON event_inbox_parked (dead, retry_at)"
        )
        self.store.execute(
            """CREATE TABLE IF NOT EXISTS event_inbox_erased (
                   person TEXT PRIMARY KEY, erased_at REAL NOT NULL)"""
        )

    def record_erased(self, user_id, now=None):
        self.store.execute("INSERT OR IGNORE INTO event_inbox_erased (person, erased_at) "
                           "VALUES (?, ?)", (erased_key(user_id), now or time.time()))

    def erased_among(self, payload):
        """The ids in an event's payload that belong to erased people (an event about them
        that arrived, or was retried, after their erasure)."""
        candidates = {erased_key(value): value for value in named_ids(payload)}
        if not candidates:
            return []
        rows = self.store.execute(
            "SELECT person FROM event_inbox_erased WHERE person IN (%s)"
            % ", ".join("?" * len(candidates)), tuple(candidates)).fetchall()
        return sorted(candidates[row["person"]] for row in rows)

    def is_processed(self, handler, event_id):
        # The plain id too: records written before processed ids were digests.
        return self.store.execute(
            "SELECT 1 FROM event_inbox_processed WHERE handler = ? AND event_id IN (?, ?)",
            (handler, processed_key(event_id), event_id),
        ).fetchone() is not None

    def record_processed(self, handler, event_id, now=None):
        try:
            self.store.execute(
                "INSERT INTO event_inbox_processed (handler, event_id, processed_at) "
                "VALUES (?, ?, ?)",
                (handler, processed_key(event_id), now or time.time()),
            )
        except sqlite3.IntegrityError:
            pass  # processed twice concurrently: the handler is idempotent, one record is enough

    def park(self, handler, event_id, payload, error, attempts, retry_at, dead=False):
        self.store.execute(
            """INSERT INTO event_inbox_parked
                   (handler, event_id, payload, error, attempts, retry_at, dead)
               VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (handler, event_id) DO UPDATE SET
                   error = excluded.error, attempts = excluded.attempts,
                   retry_at = excluded.retry_at, dead = excluded.dead""",
            (handler, event_id, json.dumps(payload), error[:2000], attempts, retry_at, int(dead)),
        )

    def claim_due(self, now=None, limit=20):
        """Parked events due for a retry, each leased to this caller (a conditional update, so
        two instances never retry the same event at once)."""
        now = now or time.time()
        rows = self.store.execute(
            "SELECT handler, event_id, payload, attempts, retry_at FROM event_inbox_parked "
            "WHERE dead = 0 AND retry_at <= ? ORDER BY retry_at LIMIT ?",
            (now, limit),
        ).fetchall()
        claimed = []
        for row in rows:
            taken = self.store.execute(
                "UPDATE event_inbox_parked SET retry_at = ? "
                "WHERE handler = ? AND event_id = ? AND retry_at = ? AND dead = 0",
                (now + CLAIM_LEASE_SECONDS, row["handler"], row["event_id"], row["retry_at"]),
            ).rowcount
            if taken == 1:
                claimed.append(
                    (row["handler"], row["event_id"], json.loads(row["payload"]), row["attempts"])
                )
        return claimed

    def resolve(self, handler, event_id, now=None):
        with self.store.transaction() as connection:
            connection.execute(
                "DELETE FROM event_inbox_parked WHERE handler = ? AND event_id = ?",
                (handler, event_id),
            )
            connection.execute(
                "INSERT OR IGNORE INTO event_inbox_processed (handler, event_id, processed_at) "
                "VALUES (?, ?, ?)",
                (handler, processed_key(event_id), now or time.time()),
            )

    def forget_user(self, user_id):
        """Erasure: parked events whose payload names the person (not pending erasures)."""
        return self.store.execute(
            "DELETE FROM event_inbox_parked WHERE instr(payload, ?) > 0 "
            "AND substr(event_id, 1, ?) != ?",
            (user_id, len(ERASURE_EVENT_PREFIX), ERASURE_EVENT_PREFIX),
        ).rowcount

    def parked(self, dead=None):
        query = "SELECT handler, event_id, payload, error, attempts, retry_at, dead " \
                "FROM event_inbox_parked"
        params = ()
        if dead is not None:
            query += " WHERE dead = ?"
            params = (int(dead),)
        return [
            dict(row, payload=json.loads(row["payload"]), dead=bool(row["dead"]))
            for row in self.store.execute(query + " ORDER BY retry_at", params).fetchall()
        ]


class MongoEventInbox:
    def __init__(self, store):
        self.processed = store.db["event_inbox_processed"]
        self.parked_events = store.db["event_inbox_parked"]
        self.processed.create_index(
            [("handler", pymongo.ASCENDING), ("event_id", pymongo.ASCENDING)],
            unique=True, name="handler_event_unique",
        )
        self.parked_events.create_index(
            [("handler", pymongo.ASCENDING), ("event_id", pymongo.ASCENDING)],
            unique=True, name="handler_event_unique",
        )
        self.parked_events.create_index(
            [("dead", pymongo.ASCENDING), ("retry_at", pymongo.ASCENDING)], name="due"
        )
        self.erased = store.db["event_inbox_erased"]

    def record_erased(self, user_id, now=None):
        self.erased.update_one({"_id": erased_key(user_id)},
                               {"$setOnInsert": {"erased_at": now or time.time()}}, upsert=True)

    def erased_among(self, payload):
        candidates = {erased_key(value): value for value in named_ids(payload)}
        if not candidates:
            return []
        return sorted(candidates[d["_id"]]
                      for d in self.erased.find({"_id": {"$in": list(candidates)}}))

    def is_processed(self, handler, event_id):
        return self.processed.find_one(
            {"handler": handler, "event_id": {"$in": [processed_key(event_id), event_id]}}
        ) is not None

    def record_processed(self, handler, event_id, now=None):
        try:
            self.processed.insert_one({"handler": handler, "event_id": processed_key(event_id),
                                       "processed_at": now or time.time()})
        except DuplicateKeyError:
            pass

    def park(self, handler, event_id, payload, error, attempts, retry_at, dead=False):
        self.parked_events.update_one(
            {"handler": handler, "event_id": event_id},
            {"$set": {"payload": json.dumps(payload), "error": error[:2000],
                      "attempts": attempts, "retry_at": retry_at, "dead": bool(dead)}},
            upsert=True,
        )

    def claim_due(self, now=None, limit=20):
        now = now or time.time()
        claimed = []
        for _ in range(limit):
            document = self.parked_events.find_one_and_update(
                {"dead": False, "retry_at": {"$lte": now}},
                {"$set": {"retry_at": now + CLAIM_LEASE_SECONDS}},
                sort=[("retry_at", pymongo.ASCENDING)],
            )
            if document is None:
                break
            claimed.append((document["handler"], document["event_id"],
                            json.loads(document["payload"]), document["attempts"]))
        return claimed

    def resolve(self, handler, event_id, now=None):
        # Processed first: if we die in between, the event is both processed and parked, and the
        # retry finds it processed and only removes the parked copy.
        self.record_processed(handler, event_id, now)
        self.parked_events.delete_one({"handler": handler, "event_id": event_id})

    def forget_user(self, user_id):
        return self.parked_events.delete_many({
            "payload": {"$regex": re.escape(user_id)},
            "event_id": {"$not": {"$regex": "^" + re.escape(ERASURE_EVENT_PREFIX)}},
        }).deleted_count

    def parked(self, dead=None):
        query = {} if dead is None else {"dead": bool(dead)}
        return [
            {"handler": d["handler"], "event_id": d["event_id"],
             "payload": json.loads(d["payload"]), "error": d["error"],
             "attempts": d["attempts"], "retry_at": d["retry_at"], "dead": d["dead"]}
            for d in self.parked_events.find(query).sort("retry_at", pymongo.ASCENDING)
        ]
